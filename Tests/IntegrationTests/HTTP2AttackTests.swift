// Known HTTP/2 attacks against a downstream h2c listener, each from a raw frame writer: rapid reset
// (CVE-2023-44487), CONTINUATION floods (CVE-2024-27316 class) and HPACK bombs. Each checks the
// abusive connection is ended, a well-behaved connection is still served, and the proxy's memory
// stays bounded. The suite runs against Envoy too; where the two end a connection differently
// (Envoy 1.40 often closes without a GOAWAY) the Tern-only expectation says so.

import Foundation
import Testing
import TernTestSupport

@Suite("HTTP/2 attacks", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct HTTP2AttackTests {
    static var isTern: Bool { HTTP2FloodTests.isTern }
    static let code = HTTP2RawFrame.ErrorCode.self

    @Test("rapid reset: streams reset before their response close the connection (premature resets)")
    func rapidReset() async throws {
        // The upstream never answers the attack's requests, so every reset stream is premature.
        let upstream = UpstreamBehavior.custom { $0.path == "/after" ? .respond(body: "ok") : .hang }
        try await HTTP2FloodTests.underAttack(stat: "http.ingress.downstream_rq_too_many_premature_resets", upstream: upstream) { port in
            let client = try await RawHTTP2Connection.connect(port: port)
            let block = HPACKLiteralBlock.request(path: "/slow").bytes
            var frames: [HTTP2RawFrame] = []
            for i in 0..<400 {
                let id = UInt32(1 + 2 * i)
                frames += [.headers(streamID: id, block: block), .rstStream(streamID: id, .cancel)]
            }
            do { try await client.send(frames) } catch {}
            let received = try await client.readUntilClose()
            #expect(received.peerClosed)
            if Self.isTern {
                #expect(received.goAway?.errorCode == Self.code.enhanceYourCalm.rawValue, "frames: \(received.frames.map(\.type))")
            }
            await client.close()
        }
    }

    @Test("rapid reset of answered streams: GOAWAY once RST_STREAM frames pass nghttp2's budget of 1000")
    func resetRate() async throws {
        // Answered by the proxy at once, so no stream is premature: only the RST_STREAM budget stops it.
        try await HTTP2FloodTests.underAttack(stat: nil, directResponse: "/fast") { port in
            let client = try await RawHTTP2Connection.connect(port: port)
            let block = HPACKLiteralBlock.request(path: "/fast").bytes
            for batch in 0..<6 {
                var frames: [HTTP2RawFrame] = []
                for i in 0..<500 {
                    let id = UInt32(1 + 2 * (batch * 500 + i))
                    frames += [.headers(streamID: id, block: block), .rstStream(streamID: id, .cancel)]
                }
                do { try await client.send(frames) } catch { break }
            }
            let received = try await client.readUntilClose()
            #expect(received.peerClosed)
            // Envoy (nghttp2) says INTERNAL_ERROR, NIOHTTP2 ENHANCE_YOUR_CALM.
            let expected = Self.isTern ? Self.code.enhanceYourCalm : Self.code.internalError
            #expect(received.goAway?.errorCode == expected.rawValue, "frames: \(received.frames.map(\.type))")
        }
    }

    @Test("CONTINUATION flood: a header block that never ends is cut off")
    func continuationFlood() async throws {
        try await HTTP2FloodTests.underAttack(stat: nil) { port in
            let client = try await RawHTTP2Connection.connect(port: port)
            try await client.send(.settings(ack: true))
            var frames: [HTTP2RawFrame] = [.headers(streamID: 1, block: HPACKLiteralBlock.request().bytes, endHeaders: false)]
            var more = HPACKLiteralBlock()
            more.literal(name: "x-pad", value: "y")
            frames += Array(repeating: .continuation(streamID: 1, block: more.bytes, endHeaders: false), count: 20_000)
            do { try await client.send(frames) } catch {}
            let received = try await client.readUntilClose()
            #expect(received.peerClosed)
            #expect(received.statuses[1] == nil)
            if Self.isTern {
                // NIOHTTP2 allows 5 CONTINUATION frames in a row.
                #expect(received.goAway?.errorCode == Self.code.enhanceYourCalm.rawValue, "frames: \(received.frames.map(\.type))")
            }
            await client.close()
        }
    }

    @Test("empty CONTINUATION frames count as empty frames (inbound_empty_frames_flood)")
    func emptyContinuations() async throws {
        try await HTTP2FloodTests.underAttack(stat: "http2.inbound_empty_frames_flood") { port in
            let client = try await RawHTTP2Connection.connect(port: port)
            let frames: [HTTP2RawFrame] = [.headers(streamID: 1, block: HPACKLiteralBlock.request().bytes, endHeaders: false)]
                + Array(repeating: .continuation(streamID: 1, block: [], endHeaders: false), count: 3)
            try await client.send(frames)
            HTTP2FloodTests.expectFloodClose(try await client.readUntilClose())
            await client.close()
        }
    }

    /// A small block that decodes large: one 300-byte header entered in the dynamic table, then
    /// referenced again (one byte each on the wire, 335 decoded bytes: name + value + 32).
    static func hpackBomb(references: Int) -> [UInt8] {
        var block = HPACKLiteralBlock.request(path: "/bomb")
        block.indexedLiteral(name: "x-b", value: String(repeating: "b", count: 300))
        block.indexed(62, count: references)
        return block.bytes
    }

    @Test("HPACK bomb: decoded header bytes count against max_request_headers_kb")
    func hpackBomb() async throws {
        let options = """
            codec_type: HTTP2
            max_request_headers_kb: 8
            """
        try await HTTP2FloodTests.underAttack(hcmExtra: options, stat: nil) { port in
            // Under the limit once decoded (≈ 3.7 KiB, 15 headers: under Envoy's max_headers_count): answered.
            let fine = try await RawHTTP2Connection.connect(port: port)
            try await fine.send([.settings(ack: true), .headers(streamID: 1, block: Self.hpackBomb(references: 10))])
            let ok = try await fine.read { $0.contains { $0.indexedStatus != nil } }
            #expect(ok.statuses[1] == 200, "frames: \(ok.frames.map(\.type))")
            await fine.close()
            // 30 more bytes on the wire, four times more once decoded (≈ 13.7 KiB): refused.
            let bomb = try await RawHTTP2Connection.connect(port: port)
            try await bomb.send(.settings(ack: true))
            // Tern's SETTINGS (with its header list limit) must be acknowledged before the bomb.
            _ = try await bomb.read(timeout: .seconds(5)) { $0.contains { $0.type == HTTP2RawFrame.settingsType && $0.flags == 0 } }
            try await bomb.send(.headers(streamID: 1, block: Self.hpackBomb(references: 40)))
            let refused = try await bomb.read(timeout: .seconds(10)) { frames in
                frames.contains { $0.goAway != nil || $0.rstStreamCode != nil || $0.indexedStatus != nil }
            }
            #expect(refused.statuses[1] == nil, "the oversized request was answered")
            if Self.isTern {
                // NIOHTTP2 stops decoding: a connection error. Envoy resets the stream (INTERNAL_ERROR).
                #expect(refused.goAway?.errorCode == Self.code.compressionError.rawValue, "frames: \(refused.frames.map(\.type))")
            } else {
                #expect(refused.frames.contains { $0.rstStreamCode == Self.code.internalError.rawValue })
            }
            await bomb.close()
        }
    }

    @Test("a dynamic table size update beyond SETTINGS_HEADER_TABLE_SIZE is a COMPRESSION_ERROR")
    func hugeDynamicTable() async throws {
        try await HTTP2FloodTests.underAttack(stat: nil) { port in
            let client = try await RawHTTP2Connection.connect(port: port)
            var block = HPACKLiteralBlock()
            block.tableSizeUpdate(1 << 30)
            let request = HPACKLiteralBlock.request()
            try await client.send(.headers(streamID: 1, block: block.bytes + request.bytes))
            let received = try await client.readUntilClose()
            #expect(received.peerClosed)
            #expect(received.goAway?.errorCode == Self.code.compressionError.rawValue, "frames: \(received.frames.map(\.type))")
            await client.close()
        }
    }
}
