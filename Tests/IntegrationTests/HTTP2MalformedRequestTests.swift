// Malformed HTTP/2 request blocks (RFC 9113 §8.2–8.3), each from a raw frame writer: Tern checks
// them itself while converting the block (NIOHTTP2's validation is off), so each rule has a case
// here. A malformed request is reset with PROTOCOL_ERROR, never reaches the upstream, and the
// connection goes on serving, as NIOHTTP2 did when it checked them. Envoy refuses the same blocks
// but, with `override_stream_error_on_invalid_http_message` at its default (false), by closing the
// whole connection; so these expectations are Tern's.

import Foundation
import Testing
import TernTestSupport

@Suite("HTTP/2 malformed requests", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct HTTP2MalformedRequestTests {
    static var isTern: Bool { HTTP2FloodTests.isTern }

    /// Request blocks that break one rule each, by what they break.
    static let malformed: [(String, HPACKLiteralBlock)] = {
        func block(_ build: (inout HPACKLiteralBlock) -> Void, path: String = "/ok") -> HPACKLiteralBlock {
            var b = HPACKLiteralBlock.request(path: path)
            build(&b)
            return b
        }
        var noPath = HPACKLiteralBlock()
        noPath.indexed(2)  // :method GET
        noPath.indexed(6)  // :scheme http
        noPath.literal(nameIndex: 1, value: "localhost")
        var pseudoAfterRegular = HPACKLiteralBlock()
        pseudoAfterRegular.indexed(2)
        pseudoAfterRegular.indexed(6)
        pseudoAfterRegular.literal(name: "x-early", value: "1")
        pseudoAfterRegular.literal(nameIndex: 4, value: "/ok")
        var connectWithPath = HPACKLiteralBlock()
        connectWithPath.literal(nameIndex: 2, value: "CONNECT")
        connectWithPath.literal(nameIndex: 1, value: "localhost:443")
        connectWithPath.literal(nameIndex: 4, value: "/")
        return [
            ("an upper-case name", block { $0.literal(name: "X-Upper", value: "1") }),
            ("a connection-specific field", block { $0.literal(name: "connection", value: "close") }),
            ("transfer-encoding", block { $0.literal(name: "transfer-encoding", value: "chunked") }),
            ("te other than trailers", block { $0.literal(name: "te", value: "gzip") }),
            ("CR LF in a value", block { $0.literal(name: "x-split", value: "a\r\nx-injected: 1") }),
            ("a space in :path", HPACKLiteralBlock.request(path: "/ok HTTP/1.1")),
            ("an unknown pseudo-header", block { $0.literal(name: ":tern", value: "1") }),
            ("a repeated pseudo-header", block { $0.literal(nameIndex: 4, value: "/again") }),
            ("a response pseudo-header", block { $0.literal(name: ":status", value: "200") }),
            ("no :path", noPath),
            ("a pseudo-header after a regular field", pseudoAfterRegular),
            ("CONNECT with :path", connectWithPath),
        ]
    }()

    @Test("each malformed block is reset with PROTOCOL_ERROR and never reaches the upstream", .enabled(if: isTern))
    func malformedBlocks() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "fine"))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: "codec_type: HTTP2")) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let client = try await RawHTTP2Connection.connect(port: port)
            try await client.send(.settings(ack: true))
            for (i, (what, block)) in Self.malformed.enumerated() {
                let id = UInt32(1 + 2 * i)
                try await client.send(.headers(streamID: id, block: block.bytes))
                let got = try await client.read { frames in frames.contains { $0.streamID == id && $0.type == HTTP2RawFrame.rstStreamType } }
                let reset = got.frames.first { $0.streamID == id && $0.type == HTTP2RawFrame.rstStreamType }
                #expect(reset != nil && got.statuses[id] == nil, "\(what): frames \(got.frames.map { ($0.type, $0.streamID) })")
                #expect(reset?.rstStreamCode == HTTP2RawFrame.ErrorCode.protocolError.rawValue, "\(what)")
            }
            // The connection still serves a well-formed request, the only one the upstream saw.
            let next = UInt32(1 + 2 * Self.malformed.count)
            try await client.send(.headers(streamID: next, block: HPACKLiteralBlock.request(path: "/ok").bytes))
            let served = try await client.read { $0.contains { $0.streamID == next && $0.flags & HTTP2RawFrame.endStream != 0 } }
            #expect(served.statuses[next] == 200 && !served.peerClosed)
            #expect(upstream.requests.map(\.path) == ["/ok"])
            await client.close()
        }
        await upstream.stop()
    }

    @Test("DATA that does not add up to content-length resets the stream with PROTOCOL_ERROR", .enabled(if: isTern))
    func contentLengthMismatch() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "fine"))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: "codec_type: HTTP2")) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let client = try await RawHTTP2Connection.connect(port: port)
            func post(_ length: String) -> [UInt8] {
                var block = HPACKLiteralBlock.request(path: "/up", method: "POST")
                block.literal(nameIndex: 28, value: length)  // content-length
                return block.bytes
            }
            let cases: [(String, [HTTP2RawFrame])] = [
                ("short", [.headers(streamID: 1, block: post("5"), endStream: false), .data(streamID: 1, Array("abc".utf8), endStream: true)]),
                ("long", [.headers(streamID: 3, block: post("2"), endStream: false), .data(streamID: 3, Array("abcd".utf8))]),
                ("no body", [.headers(streamID: 5, block: post("5"), endStream: true)]),
                ("not a number", [.headers(streamID: 7, block: post("5x"), endStream: false)]),
            ]
            try await client.send(.settings(ack: true))
            for (what, frames) in cases {
                let id = frames[0].streamID
                try await client.send(frames)
                let got = try await client.read { $0.contains { $0.streamID == id && $0.type == HTTP2RawFrame.rstStreamType } }
                let reset = got.frames.first { $0.streamID == id && $0.type == HTTP2RawFrame.rstStreamType }
                #expect(reset?.rstStreamCode == HTTP2RawFrame.ErrorCode.protocolError.rawValue, "\(what): \(got.frames.map { ($0.type, $0.streamID) })")
                #expect(got.statuses[id] == nil, "\(what)")
            }
            #expect(!(try await client.read(timeout: .milliseconds(100)) { _ in false }).peerClosed)
            await client.close()
        }
        await upstream.stop()
    }

    @Test("trailers with a pseudo-header reset the stream, and its upstream request with it", .enabled(if: isTern))
    func malformedTrailers() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "fine"))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: "codec_type: HTTP2")) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let client = try await RawHTTP2Connection.connect(port: port)
            var trailers = HPACKLiteralBlock()
            trailers.literal(nameIndex: 4, value: "/sneaky")
            try await client.send([.settings(ack: true),
                                   .headers(streamID: 1, block: HPACKLiteralBlock.request(path: "/up", method: "POST").bytes,
                                            endStream: false),
                                   .data(streamID: 1, Array("body".utf8)),
                                   .headers(streamID: 1, block: trailers.bytes, endStream: true)])
            let got = try await client.read { frames in frames.contains { $0.streamID == 1 && $0.type == HTTP2RawFrame.rstStreamType } }
            let reset = got.frames.first { $0.streamID == 1 && $0.type == HTTP2RawFrame.rstStreamType }
            #expect(reset != nil && got.statuses[1] == nil, "frames \(got.frames.map { ($0.type, $0.streamID) })")
            #expect(reset?.rstStreamCode == HTTP2RawFrame.ErrorCode.protocolError.rawValue)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_rx_reset", atLeast: 1) == 1)
            await client.close()
        }
        await upstream.stop()
    }
}
