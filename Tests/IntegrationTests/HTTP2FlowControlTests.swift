// HTTP/2 flow control now that Tern dispatches frames itself (no stream multiplexer): one stream
// stalled by its client's window must not hold up the others on the connection, uploads beyond
// the connection window need Tern to give the window back many times (downstream and upstream),
// and an HTTP/1.1 upstream connection paused for a slow client must read again once it is reused.
// Everything here is Envoy's behaviour too, so the suite also runs with TERN_TEST_PROXY=envoy.

import Foundation
import Testing
import TernTestSupport

@Suite("HTTP/2 flow control", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct HTTP2FlowControlTests {
    static let http2Only = "codec_type: HTTP2"

    static func bytes(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ seed &+ $0 >> 11) }
    }

    /// The DATA bytes (padding aside: the proxy does not pad) that came on `stream`, and whether
    /// the stream ended (END_STREAM on DATA or on trailing HEADERS).
    static func received(_ frames: [HTTP2RawFrame], stream: UInt32) -> (bytes: Int, ended: Bool) {
        var bytes = 0
        var ended = false
        for f in frames where f.streamID == stream {
            if f.type == HTTP2RawFrame.data { bytes += f.payload.count }
            if f.type == HTTP2RawFrame.data || f.type == HTTP2RawFrame.headersType, f.flags & HTTP2RawFrame.endStream != 0 {
                ended = true
            }
        }
        return (bytes, ended)
    }

    @Test("a stream whose client stops reading does not hold up the other streams on its connection")
    func stalledStreamDoesNotBlockOthers() async throws {
        let big = String(repeating: "0123456789abcdef", count: 512 * 1024)  // 8 MiB
        let small = "small and done"
        let upstream = try await UpstreamServer.start(.custom { $0.path == "/big" ? .respond(body: big) : .respond(body: small) })
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let client = try await RawHTTP2Connection.connect(port: port)
            // Acknowledge the proxy's SETTINGS as any client would, and open the connection
            // window wide: only stream 1's own window (the default 65,535) stays closed, because
            // this client never sends a WINDOW_UPDATE for it.
            let hello = try await client.read { frames in
                frames.contains { $0.type == HTTP2RawFrame.settingsType && $0.flags & HTTP2RawFrame.ack == 0 }
            }
            try #require(!hello.peerClosed)
            try await client.send([.settings(ack: true), .windowUpdate(streamID: 0, increment: 1 << 30),
                                   .headers(streamID: 1, block: HPACKLiteralBlock.request(path: "/big").bytes)])
            let stalled = try await client.read(timeout: .seconds(20)) { Self.received($0, stream: 1).bytes >= 65_535 }
            #expect(stalled.statuses[1] == 200, "frames: \(stalled.frames.map { ($0.type, $0.streamID) })")
            #expect(Self.received(stalled.frames, stream: 1).bytes == 65_535)

            // A second stream on the same connection is served while the first is stuck.
            try await client.send(.headers(streamID: 3, block: HPACKLiteralBlock.request(path: "/small").bytes))
            let second = try await client.read(timeout: .seconds(20)) { Self.received($0, stream: 3).ended }
            #expect(second.statuses[3] == 200, "frames: \(second.frames.map { ($0.type, $0.streamID) })")
            let small3 = Self.received(second.frames, stream: 3)
            #expect(small3.bytes == small.utf8.count && small3.ended)
            let big1 = Self.received(second.frames, stream: 1)
            #expect(big1.bytes == 65_535 && !big1.ended, "stream 1 got \(big1.bytes) bytes, ended: \(big1.ended)")
            #expect(upstream.requests.map(\.path) == ["/big", "/small"])

            // Stream 1 was only waiting: a window of 1 MiB more brings exactly that much more.
            try await client.send(.windowUpdate(streamID: 1, increment: 1 << 20))
            let target = 65_535 + (1 << 20)
            let resumed = try await client.read(timeout: .seconds(30)) { Self.received($0, stream: 1).bytes >= target }
            let after = Self.received(resumed.frames, stream: 1)
            #expect(after.bytes == target && !after.ended, "stream 1 got \(after.bytes) bytes, ended: \(after.ended)")
            #expect(!resumed.peerClosed)
            await client.close()
        }
        await upstream.stop()
    }

    /// The downstream listener's HTTP/2 receive windows: Envoy's defaults (256 MiB) and the
    /// smallest allowed, so that a 3 MiB upload needs the window returned dozens of times.
    static let receiveWindows = [
        "",
        "http2_protocol_options: { initial_connection_window_size: 65535 }",
        "http2_protocol_options: { initial_stream_window_size: 65535, initial_connection_window_size: 65535 }",
    ]

    @Test("an upload larger than the connection window completes (h2c, HTTP/1.1 upstream)", arguments: receiveWindows)
    func uploadBeyondConnectionWindow(windows: String) async throws {
        let upstream = try await UpstreamServer.start(.echo)
        let config = EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only + "\n" + windows)
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let body = Self.bytes(3 * 1024 * 1024, seed: 5)
            let response = try await Curl.request(port: port, "/upload", method: "POST", body: body, http2: true,
                                                  timeout: .seconds(60))
            #expect(response.exitCode == 0 && response.status == 200, "\(response)")
            let seen = try response.echoed()
            #expect(seen.bodyLength == body.count)
            #expect(seen.bodyChecksum == Checksum.fnv1a(body))
            #expect(upstream.requests.first?.body == body)
        }
        await upstream.stop()
    }

    @Test("a 3 MiB upload echoed by an HTTP/2 upstream with 64 KiB windows streams both ways intact")
    func uploadThroughHTTP2Upstream() async throws {
        // The upstream's windows are 65,535 and so are Tern's towards it and towards the client:
        // every hop waits for WINDOW_UPDATEs, in both directions, many times over.
        let upstream = try await HTTP2EchoUpstream.start(.echo)
        let small = "{ initial_stream_window_size: 65535, initial_connection_window_size: 65535 }"
        let config = HTTP2UpstreamStreamTests.config(upstream.port, hcmExtra: Self.http2Only + "\nhttp2_protocol_options: \(small)",
                                                     h2Options: small)
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let body = Self.bytes(3 * 1024 * 1024, seed: 9)
            // curl run directly: the echo's trailers end curl's header dump, which
            // `Curl.request` would read as the final response head.
            let dir = try TemporaryDirectory(prefix: "h2-echo")
            defer { dir.remove() }
            let upload = dir.file("upload")
            let echoed = dir.file("echoed")
            try Data(body).write(to: upload)
            let output = try await Curl.run(["-sS", "--http2-prior-knowledge", "--max-time", "60", "--data-binary", "@\(upload.path)",
                                             "-o", echoed.path, "-w", "%{http_code}", "http://127.0.0.1:\(port)/echo"],
                                            timeout: .seconds(65))
            #expect(output.exitCode == 0 && output.stdoutText == "200", "\(output.stdoutText) \(output.stderrText)")
            let received = (try? [UInt8](Data(contentsOf: echoed))) ?? []
            #expect(received.count == body.count)
            #expect(received == body)
            #expect(upstream.requests.first?.bodyBytes == body.count)
        }
        await upstream.stop()
    }

    @Test("an HTTP/1.1 upstream connection reused after a response that paused it serves the next request")
    func pausedUpstreamConnectionIsReusable() async throws {
        // Each echoed 64 KiB body makes a response of more than 64 KiB: more than an HTTP/2
        // stream takes in one go, so the proxy pauses reading the upstream for it, and the
        // response's end is often in that same read. With one upstream connection, the next
        // request must find it reading again; the short route timeout turns a regression into a
        // quick 504 instead of a hang.
        let upstream = try await UpstreamServer.start(.echo)
        let config = EnvoyConfig.httpProxy(to: upstream.port, routeExtra: "timeout: 3s", hcmExtra: Self.http2Only,
                                           clusterExtra: """
                                           circuit_breakers:
                                             thresholds:
                                             - { max_connections: 1 }
                                           """)
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let body = Array(repeating: UInt8(ascii: "a"), count: 64 * 1024)
            for i in 0..<10 {
                let response = try await Curl.request(port: port, "/post\(i)", method: "POST", body: body, http2: true,
                                                      timeout: .seconds(10))
                #expect(response.status == 200, "request \(i): \(response)")
                #expect(response.body.count > 64 * 1024, "request \(i)")
                #expect((try? response.echoed().bodyLength) == body.count, "request \(i)")
            }
            #expect(upstream.requests.count == 10)
            #expect(upstream.connectionCount == 1)
        }
        await upstream.stop()
    }
}
