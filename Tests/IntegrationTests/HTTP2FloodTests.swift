// Envoy's HTTP/2 flood limits on a downstream h2c connection, each provoked by a raw frame writer:
// empty frames, PRIORITY, WINDOW_UPDATE, and PING / SETTINGS floods from a client that never reads.
// Each test checks the abusive connection is closed (Tern: with GOAWAY ENHANCE_YOUR_CALM for the
// inbound ones), Envoy's stat moves, a well-behaved connection is still served, and the proxy's
// memory stays bounded. Envoy 1.40 closes without a GOAWAY; the suite runs against it too.

import Foundation
import Testing
import TernTestSupport

@Suite("HTTP/2 flood limits", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct HTTP2FloodTests {
    static let http2Only = "codec_type: HTTP2"
    static var isTern: Bool { TestEnvironment.proxyUnderTest == .tern }

    /// Runs `attack` against an h2c listener (whose options are `hcmExtra`), then checks that
    /// `stat` moved, a curl over HTTP/2 still gets its 200, and the proxy's RSS grew by less
    /// than 64 MiB.
    /// `directResponse`: a path prefix answered 200 by the proxy itself (a direct_response route),
    /// with the response headers `directResponseHeaders` (flow-style YAML of `HeaderValueOption`s).
    static func underAttack(hcmExtra: String = http2Only, stat: String?, upstream behavior: UpstreamBehavior = .respond(body: "ok"),
                            directResponse: String? = nil, directResponseHeaders: String = "[]",
                            _ attack: (Int) async throws -> Void) async throws {
        let upstream = try await UpstreamServer.start(behavior)
        var hosts = EnvoyConfig.routeAll(to: "svc")
        if let directResponse {
            hosts = hosts.replacingOccurrences(
                of: "routes:\n",
                with: "routes:\n  - match: { prefix: \"\(directResponse)\" }\n"
                    + "    direct_response: { status: 200, body: { inline_string: direct } }\n"
                    + "    response_headers_to_add: \(directResponseHeaders)\n")
        }
        let config = EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: hosts, hcmExtra: hcmExtra)],
                                           clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream.port)])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let before = try #require(ProcessMemory.residentKiB(pid: proxy.pid))
            try await attack(port)
            if let stat {
                #expect(try await proxy.waitForStat(stat, atLeast: 1, timeout: .seconds(10)) == 1, "\(stat)")
            }
            let polite = try await Curl.request(port: port, "/after", http2: true)
            #expect(polite.status == 200, "a well-behaved connection is still served: \(polite)")
            let after = try #require(ProcessMemory.residentKiB(pid: proxy.pid))
            #expect(after - before < 64 * 1024, "RSS grew from \(before) KiB to \(after) KiB")
        }
        await upstream.stop()
    }

    /// The inbound floods' ending: Tern says GOAWAY ENHANCE_YOUR_CALM and closes; Envoy 1.40 closes
    /// without a GOAWAY.
    static func expectFloodClose(_ received: HTTP2Received, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(received.peerClosed, "the connection stayed open", sourceLocation: sourceLocation)
        if isTern {
            #expect(received.goAway?.errorCode == HTTP2RawFrame.ErrorCode.enhanceYourCalm.rawValue,
                    "frames: \(received.frames.map(\.type))", sourceLocation: sourceLocation)
        }
    }

    @Test("consecutive empty DATA frames: closed at max_consecutive_inbound_frames_with_empty_payload (1)")
    func emptyFrames() async throws {
        try await Self.underAttack(stat: "http2.inbound_empty_frames_flood") { port in
            let client = try await RawHTTP2Connection.connect(port: port)
            let request = HTTP2RawFrame.headers(streamID: 1, block: HPACKLiteralBlock.request(path: "/upload", method: "POST").bytes,
                                                endStream: false)
            try await client.send([request] + Array(repeating: HTTP2RawFrame.data(streamID: 1), count: 3))
            Self.expectFloodClose(try await client.readUntilClose())
            await client.close()
        }
    }

    @Test("one empty DATA frame is tolerated (the limit is exceeded, not reached)")
    func oneEmptyFrameIsFine() async throws {
        try await Self.underAttack(stat: nil) { port in
            let client = try await RawHTTP2Connection.connect(port: port)
            let request = HTTP2RawFrame.headers(streamID: 1, block: HPACKLiteralBlock.request(path: "/upload", method: "POST").bytes,
                                                endStream: false)
            try await client.send([request, .data(streamID: 1), .data(streamID: 1, Array("body".utf8), endStream: true)])
            let received = try await client.read { $0.contains { $0.indexedStatus != nil } }
            #expect(received.statuses[1] == 200, "frames: \(received.frames.map(\.type))")
            #expect(received.goAway == nil)
            await client.close()
        }
    }

    @Test("PRIORITY frames beyond 100 per stream: closed (max_inbound_priority_frames_per_stream)")
    func priorityFlood() async throws {
        try await Self.underAttack(stat: "http2.inbound_priority_frames_flood") { port in
            let client = try await RawHTTP2Connection.connect(port: port)
            // No stream opened: 100 × (1 + 0) are allowed, the 101st is not.
            try await client.send((0..<150).map { HTTP2RawFrame.priority(streamID: UInt32(1 + 2 * $0)) })
            Self.expectFloodClose(try await client.readUntilClose())
            await client.close()
        }
    }

    @Test("WINDOW_UPDATE frames while nothing was sent: closed (max_inbound_window_update_frames_per_data_frame_sent)")
    func windowUpdateFlood() async throws {
        try await Self.underAttack(stat: "http2.inbound_window_update_frames_flood") { port in
            let client = try await RawHTTP2Connection.connect(port: port)
            try await client.send(Array(repeating: HTTP2RawFrame.windowUpdate(increment: 1), count: 20))
            Self.expectFloodClose(try await client.readUntilClose())
            await client.close()
        }
    }

    /// Sends `frame` in batches from a client that never reads, until the proxy closes the
    /// connection (a write fails) or 64 MiB went out.
    static func floodWithoutReading(port: Int, _ frame: HTTP2RawFrame) async throws {
        let client = try await RawHTTP2Connection.connect(port: port, reading: false)
        let batch = [HTTP2RawFrame](repeating: frame, count: 1000)
        var sent = 0
        do {
            while sent < 64 * 1024 * 1024 {
                try await client.send(batch)
                sent += 1000 * frame.bytes.count
            }
        } catch {
            // The proxy closed the connection: the write failed.
        }
        #expect(sent < 64 * 1024 * 1024, "the proxy took 64 MiB of \(frame.type) frames without closing")
        await client.close()
    }

    @Test("a PING flood from a client that never reads: closed at max_outbound_control_frames")
    func pingFloodWithoutReading() async throws {
        // Envoy 1.40's nghttp2 stops this first with its own outbound-queue limit, without the stat.
        try await Self.underAttack(stat: Self.isTern ? "http2.outbound_control_flood" : nil) { port in
            try await Self.floodWithoutReading(port: port, .ping())
        }
    }

    @Test("a SETTINGS flood from a client that never reads: closed at max_outbound_control_frames")
    func settingsFloodWithoutReading() async throws {
        try await Self.underAttack(stat: Self.isTern ? "http2.outbound_control_flood" : nil) { port in
            try await Self.floodWithoutReading(port: port, .settings())
        }
    }

    @Test("a lower max_outbound_control_frames is honoured")
    func configuredControlLimit() async throws {
        let options = """
            codec_type: HTTP2
            http2_protocol_options: { max_outbound_control_frames: 10 }
            """
        try await Self.underAttack(hcmExtra: options, stat: "http2.outbound_control_flood") { port in
            try await Self.floodWithoutReading(port: port, .ping())
        }
    }

    @Test("many responses to a client that never reads: closed at max_outbound_frames")
    func responsesToANonReader() async throws {
        let options = """
            codec_type: HTTP2
            http2_protocol_options: { max_outbound_frames: 100 }
            """
        // HEADERS are not flow controlled: 8 KiB of response headers per stream fill the
        // socket buffers after a few hundred streams, then the frames queue in Tern. The proxy
        // answers them itself: through the test upstream, the burst sometimes (1 run in 6) got
        // almost no answers in time (1,024 requests pending, under 70 completed, the rest short
        // 503 overflow replies the socket buffers absorbed), and nothing flooded.
        let big = "[{ header: { key: x-big, value: \(String(repeating: "h", count: 8192)) } }]"
        try await Self.underAttack(hcmExtra: options, stat: "http2.outbound_flood", directResponse: "/many",
                                   directResponseHeaders: big) { port in
            let client = try await RawHTTP2Connection.connect(port: port, reading: false)
            // Acknowledged blindly: until then NIOHTTP2 allows only 100 concurrent streams.
            try await client.send(.settings(ack: true))
            let block = HPACKLiteralBlock.request(path: "/many").bytes
            var stream: UInt32 = 1
            do {
                for _ in 0..<200 {
                    try await client.send((0..<50).map { i in HTTP2RawFrame.headers(streamID: stream + 2 * UInt32(i), block: block) })
                    stream += 100
                    try await Task.sleep(for: .milliseconds(20))
                    if !client.isActive { break }
                }
            } catch {
                // Closed by the proxy.
            }
            await client.close()
        }
    }
}
