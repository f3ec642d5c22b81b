// HTTP Upgrade (WebSocket) through the connection manager: with `upgrade_configs` allowing
// websocket the upstream's `101 Switching Protocols` reaches the client and the connection becomes
// a byte pipe in both directions, closed on both sides when either side closes; without it Envoy
// refuses the upgrade with 403 and counts `downstream_rq_ws_on_non_ws_route`.

import Foundation
import Testing
import TernTestSupport

@Suite("Upgrade passthrough", .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct UpgradeTests {
    static let websocketHCM = "upgrade_configs: [{ upgrade_type: websocket }]"

    static func config(upstreamPort: Int, hcmExtra: String = websocketHCM, routeExtra: String = "") -> String {
        EnvoyConfig.httpProxy(to: upstreamPort, routeExtra: routeExtra, hcmExtra: hcmExtra)
    }

    /// A WebSocket opening handshake as a browser would send it.
    static let upgradeRequest = "GET /chat HTTP/1.1\r\nhost: ws.example\r\nupgrade: websocket\r\n"
        + "connection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n"

    /// 64 KiB that are not all the same byte, with CR LF pairs and a fake request line inside, so
    /// an HTTP parser still in the path would show.
    static let payload: [UInt8] = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        + (0..<(64 * 1024)).map { UInt8(truncatingIfNeeded: ($0 * 31) ^ ($0 >> 7)) }

    /// Connects, sends the handshake and reads the response head; returns the connection, the
    /// response and how many bytes the head took.
    static func handshake(port: Int) async throws -> (RawConnection, HTTPResponse, Int) {
        let connection = try await RawConnection.connect(port: port)
        try await connection.send(upgradeRequest)
        let read = try await connection.read(timeout: .seconds(10)) { bytes in
            bytes.indices.dropLast(3).contains { bytes[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10]) }
        }
        let parsed = HTTPResponseParser.parse(read.bytes, peerClosed: read.peerClosed)
        guard let response = parsed.responses.first else {
            await connection.close()
            throw HarnessError("no response head to the upgrade request: \(read.text.prefix(300))")
        }
        return (connection, response, parsed.consumed)
    }

    @Test("a websocket upgrade gets the upstream's 101, then bytes pass both ways unchanged")
    func websocketPassthrough() async throws {
        let upstream = try await UpgradeUpstream.start()
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let (connection, response, headLength) = try await Self.handshake(port: try await proxy.listenerPort("ingress"))
            #expect(response.status == 101, "\(response)")
            #expect(response.headers["upgrade"]?.lowercased() == "websocket", "\(response)")
            #expect(response.headers["connection"]?.lowercased().contains("upgrade") == true, "\(response)")
            #expect(response.headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")

            // The upstream saw the upgrade headers the client sent.
            let head = try #require(upstream.requestHeads.first)
            #expect(head.lowercased().contains("upgrade: websocket"), "\(head)")
            #expect(head.lowercased().contains("sec-websocket-key: dghlihnhbxbszsbub25jzq=="), "\(head)")

            // Client → upstream → (echo) → client, byte for byte, in two rounds.
            try await connection.send(Self.payload)
            let first = try await connection.readBytes(headLength + Self.payload.count, timeout: .seconds(15))
            #expect(Array(first.bytes.dropFirst(headLength)) == Self.payload, "first round differs")
            let second = Array("second round \u{0}\u{1}\u{ff}".utf8)
            try await connection.send(second)
            let both = try await connection.readBytes(headLength + Self.payload.count + second.count)
            #expect(Array(both.bytes.dropFirst(headLength + Self.payload.count)) == second)
            #expect(upstream.tunnelBytes == Self.payload + second, "the upstream got other bytes than were sent")

            // The client closing its side closes the upstream's.
            await connection.close()
            let closed = await waitUntil(timeout: .seconds(10)) { upstream.closedUpgradedCount == 1 }
            #expect(closed, "the upstream connection stayed open after the client closed")
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_upgrades_total", atLeast: 1) == 1)
            #expect(try await proxy.stat("http.ingress.downstream_rq_ws_on_non_ws_route") == 0)
        }
        await upstream.stop()
    }

    @Test("bytes the upstream sends in the same write as its 101 reach the client, after the head")
    func upstreamSpeaksFirst() async throws {
        let greeting: [UInt8] = [0x81, 0x0C] + Array("server hello".utf8)  // a WebSocket text frame
        let upstream = try await UpgradeUpstream.start(greeting: greeting)
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let (connection, response, headLength) = try await Self.handshake(port: try await proxy.listenerPort("ingress"))
            #expect(response.status == 101, "\(response)")
            let got = try await connection.readBytes(headLength + greeting.count, timeout: .seconds(10))
            #expect(Array(got.bytes.dropFirst(headLength)) == greeting, "got: \(got.text)")
            try await connection.send("ping")
            let echoed = try await connection.readBytes(headLength + greeting.count + 4)
            #expect(Array(echoed.bytes.dropFirst(headLength + greeting.count)) == Array("ping".utf8))
            await connection.close()
        }
        await upstream.stop()
    }

    @Test("bytes the client sends right behind its upgrade request reach the upstream once upgraded")
    func clientSpeaksFirst() async throws {
        let upstream = try await UpgradeUpstream.start()
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("ingress"))
            let early: [UInt8] = [0x81, 0x05] + Array("early".utf8) + Array("\r\n\r\nGET / HTTP/1.1\r\n\r\n".utf8)
            try await connection.send(Array(Self.upgradeRequest.utf8) + early)
            let arrived = await waitUntil(timeout: .seconds(10)) { upstream.tunnelBytes == early }
            #expect(arrived, "the upstream got \(upstream.tunnelBytes)")
            #expect(upstream.requestHeads.count == 1, "the early bytes are not a second request")
            await connection.close()
        }
        await upstream.stop()
    }

    @Test("the upstream closing an upgraded connection closes the client's")
    func upstreamCloses() async throws {
        let upstream = try await UpgradeUpstream.start()
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let (connection, response, headLength) = try await Self.handshake(port: try await proxy.listenerPort("ingress"))
            #expect(response.status == 101, "\(response)")
            try await connection.send("ping")
            let echoed = try await connection.readBytes(headLength + 4)
            #expect(Array(echoed.bytes.dropFirst(headLength)) == Array("ping".utf8))

            await upstream.closeUpgradedConnections()
            let end = try await connection.readUntilClose(timeout: .seconds(10))
            await connection.close()
            #expect(end.peerClosed && !end.timedOut, "the client connection stayed open")
            #expect(end.bytes.count == headLength + 4, "nothing may follow the echoed bytes")
        }
        await upstream.stop()
    }

    @Test("without upgrade_configs an upgrade request gets 403 and counts downstream_rq_ws_on_non_ws_route")
    func upgradeNotAllowed() async throws {
        let upstream = try await UpgradeUpstream.start()
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, hcmExtra: "")) { proxy in
            let (connection, response, _) = try await Self.handshake(port: try await proxy.listenerPort("ingress"))
            await connection.close()
            #expect(response.status == 403, "\(response)")
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_ws_on_non_ws_route", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_4xx", atLeast: 1) == 1)
            #expect(try await proxy.stat("http.ingress.downstream_cx_upgrades_total") == 0)
            #expect(upstream.requestHeads.isEmpty, "the refused request reached the upstream")
        }
        await upstream.stop()
    }

    @Test("a route can switch websocket off although the connection manager allows it")
    func routeDisablesUpgrade() async throws {
        let upstream = try await UpgradeUpstream.start()
        let config = Self.config(upstreamPort: upstream.port,
                                 routeExtra: "upgrade_configs: [{ upgrade_type: websocket, enabled: false }]")
        try await TernProcess.with(config: config) { proxy in
            let (connection, response, _) = try await Self.handshake(port: try await proxy.listenerPort("ingress"))
            await connection.close()
            #expect(response.status == 403, "\(response)")
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_ws_on_non_ws_route", atLeast: 1) == 1)
            #expect(upstream.requestHeads.isEmpty, "the refused request reached the upstream")
        }
        await upstream.stop()
    }
}
