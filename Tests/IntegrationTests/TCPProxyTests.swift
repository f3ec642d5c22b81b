// tcp_proxy: bytes in, the same bytes out, FIN carried across in both directions, Envoy's stats.

import Foundation
import Testing
import TernTestSupport

@Suite("TCP proxy", .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct TCPProxyTests {
    static func config(echoPort: Int) -> String {
        EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.tcpProxyListener(name: "tcp", statPrefix: "tcp", cluster: "echo")],
            clusters: [EnvoyConfig.staticCluster(name: "echo", port: echoPort)])
    }

    /// 256 KiB that are not all the same byte, so a reordering or a dropped range shows.
    static let payload: [UInt8] = (0..<(256 * 1024)).map { UInt8(truncatingIfNeeded: ($0 * 7) ^ ($0 >> 9)) }

    @Test("256 KiB come back byte for byte, then EOF after the client's half-close")
    func byteExactEcho() async throws {
        let echo = try await TCPEchoServer.start()
        try await TernProcess.with(config: Self.config(echoPort: echo.port)) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("tcp"))
            try await connection.send(Self.payload)
            try await connection.shutdownWrite()
            let read = try await connection.readUntilClose(timeout: .seconds(20))
            await connection.close()
            #expect(!read.timedOut)
            #expect(read.bytes.count == Self.payload.count)
            #expect(read.bytes == Self.payload)
            #expect(echo.halfClosedCount == 1, "the client's FIN must reach the upstream")
            #expect(try await proxy.waitForStat("tcp.tcp.downstream_cx_total", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("tcp.tcp.downstream_cx_rx_bytes_total",
                                                atLeast: Self.payload.count) == Self.payload.count)
            #expect(try await proxy.waitForStat("tcp.tcp.downstream_cx_tx_bytes_total",
                                                atLeast: Self.payload.count) == Self.payload.count)
            #expect(try await proxy.waitForStat("cluster.echo.upstream_cx_total", atLeast: 1) == 1)
        }
        await echo.stop()
    }

    @Test("after the client half-closes, the upstream's reply still comes back")
    func halfClose() async throws {
        // This upstream answers only after it has seen EOF: the reply can arrive only if the proxy
        // forwarded the FIN and kept the downstream's receiving side open.
        let echo = try await TCPEchoServer.start(replyAfterEOF: true)
        try await TernProcess.with(config: Self.config(echoPort: echo.port)) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("tcp"))
            try await connection.send("ping after FIN")
            try await connection.shutdownWrite()
            let read = try await connection.readUntilClose(timeout: .seconds(10))
            await connection.close()
            #expect(read.text == "ping after FIN")
            #expect(read.peerClosed && !read.timedOut)
        }
        await echo.stop()
    }

    @Test("twenty connections at once each get their own bytes back")
    func concurrentConnections() async throws {
        let echo = try await TCPEchoServer.start()
        try await TernProcess.with(config: Self.config(echoPort: echo.port)) { proxy in
            let port = try await proxy.listenerPort("tcp")
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let message = Array("connection \(index): ".utf8) + Array(repeating: UInt8(index), count: 4096)
                        let connection = try await RawConnection.connect(port: port)
                        try await connection.send(message)
                        try await connection.shutdownWrite()
                        let read = try await connection.readUntilClose()
                        await connection.close()
                        return read.bytes == message
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.count == 20 && results.allSatisfy { $0 })
            #expect(echo.connectionCount == 20)
        }
        await echo.stop()
    }

    @Test("a dead upstream closes the client's connection and counts a connect failure")
    func deadUpstream() async throws {
        let deadPort = try await UnusedPort.next()
        try await TernProcess.with(config: Self.config(echoPort: deadPort)) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("tcp"))
            try? await connection.send("hello?")
            let read = try await connection.readUntilClose(timeout: .seconds(10))
            await connection.close()
            #expect(read.peerClosed && !read.timedOut)
            #expect(read.bytes.isEmpty)
            #expect(try await proxy.waitForStat("cluster.echo.upstream_cx_connect_fail", atLeast: 1) >= 1)
        }
    }
}
