// A response that is complete before its request (a direct response to a request whose body is
// still coming): Tern tells the client to stop with RST_STREAM (NO_ERROR) on its next body frame,
// or after a short grace when the client sends nothing, and not at once. Until then the stream is
// half-closed, so a frame that breaks the protocol still gets its own error code (h2spec 6.9/2,
// 6.9.1/3, 8.1.2.6 and 5.1/8 depend on it), and a client that ends its request in time closes the
// stream with no reset at all. Envoy resets at once, so the expectations after the response are
// Tern's.

import Foundation
import Testing
import TernTestSupport

@Suite("HTTP/2 response before the request ends", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct HTTP2EarlyResponseTests {
    static var isTern: Bool { HTTP2FloodTests.isTern }
    static let code = HTTP2RawFrame.ErrorCode.self

    static let config: String = {
        let hosts = """
            - name: local
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                direct_response: { status: 200, body: { inline_string: "early" } }
            """
        return EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: hosts, hcmExtra: "codec_type: HTTP2")],
                                     clusters: [])
    }()

    /// Opens stream 1 with a POST whose body never started, and reads its complete response.
    static func answeredBeforeRequestEnd(_ port: Int, _ body: (RawHTTP2Connection) async throws -> Void) async throws {
        let client = try await RawHTTP2Connection.connect(port: port)
        try await client.send([.settings(ack: true),
                               .headers(streamID: 1, block: HPACKLiteralBlock.request(path: "/upload", method: "POST").bytes,
                                        endStream: false)])
        let answered = try await client.read { frames in
            frames.contains { $0.streamID == 1 && $0.type == HTTP2RawFrame.data && $0.flags & HTTP2RawFrame.endStream != 0 }
        }
        try #require(answered.statuses[1] == 200, "frames: \(answered.frames.map { ($0.type, $0.streamID) })")
        try await body(client)
        await client.close()
    }

    static func reset(_ frames: [HTTP2RawFrame]) -> UInt32? {
        frames.first { $0.streamID == 1 && $0.type == HTTP2RawFrame.rstStreamType }?.rstStreamCode
    }

    @Test("a client that sends nothing more still gets RST_STREAM (NO_ERROR)")
    func silentClientIsReset() async throws {
        try await TernProcess.with(config: Self.config) { proxy in
            try await Self.answeredBeforeRequestEnd(try await proxy.listenerPort("ingress")) { client in
                let after = try await client.read { Self.reset($0) != nil }
                #expect(Self.reset(after.frames) == Self.code.noError.rawValue)
                #expect(!after.peerClosed)
            }
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_response_before_rq_complete", atLeast: 1) == 1)
        }
    }

    @Test("more of the unwanted body brings RST_STREAM (NO_ERROR) and the connection goes on")
    func moreBodyIsReset() async throws {
        try await TernProcess.with(config: Self.config) { proxy in
            try await Self.answeredBeforeRequestEnd(try await proxy.listenerPort("ingress")) { client in
                try await client.send(.data(streamID: 1, Array(repeating: UInt8(ascii: "x"), count: 1000)))
                let after = try await client.read { Self.reset($0) != nil }
                #expect(Self.reset(after.frames) == Self.code.noError.rawValue)
                try await client.send(.headers(streamID: 3, block: HPACKLiteralBlock.request(path: "/next").bytes))
                let next = try await client.read { $0.contains { $0.streamID == 3 && $0.flags & HTTP2RawFrame.endStream != 0 } }
                #expect(next.statuses[3] == 200 && !next.peerClosed)
            }
        }
    }

    @Test("a client that ends its request in time closes the stream without a reset", .enabled(if: isTern))
    func requestEndedInTime() async throws {
        try await TernProcess.with(config: Self.config) { proxy in
            try await Self.answeredBeforeRequestEnd(try await proxy.listenerPort("ingress")) { client in
                try await client.send([.data(streamID: 1, Array("done".utf8), endStream: true), .ping()])
                let after = try await client.read { $0.contains { $0.type == HTTP2RawFrame.pingType && $0.flags & HTTP2RawFrame.ack != 0 } }
                // Past the grace (a second) the reset would have come if the stream were still open.
                try await Task.sleep(for: .milliseconds(1300))
                let later = try await client.read(timeout: .milliseconds(200)) { _ in false }
                #expect(Self.reset(after.frames) == nil && Self.reset(later.frames) == nil,
                        "frames: \(later.frames.map { ($0.type, $0.streamID) })")
                #expect(!later.peerClosed)
            }
        }
    }

    @Test("a zero WINDOW_UPDATE after the response is a stream PROTOCOL_ERROR", .enabled(if: isTern))
    func zeroWindowUpdate() async throws {
        try await TernProcess.with(config: Self.config) { proxy in
            try await Self.answeredBeforeRequestEnd(try await proxy.listenerPort("ingress")) { client in
                try await client.send(.windowUpdate(streamID: 1, increment: 0))
                let after = try await client.read { Self.reset($0) != nil }
                #expect(Self.reset(after.frames) == Self.code.protocolError.rawValue)
                #expect(!after.peerClosed)
            }
        }
    }

    @Test("a stream window pushed past 2^31-1 after the response is a stream FLOW_CONTROL_ERROR", .enabled(if: isTern))
    func windowOverflow() async throws {
        try await TernProcess.with(config: Self.config) { proxy in
            try await Self.answeredBeforeRequestEnd(try await proxy.listenerPort("ingress")) { client in
                try await client.send([.windowUpdate(streamID: 1, increment: 0x4000_0000),
                                       .windowUpdate(streamID: 1, increment: 0x4000_0000)])
                let after = try await client.read { Self.reset($0) != nil }
                #expect(Self.reset(after.frames) == Self.code.flowControlError.rawValue)
                #expect(!after.peerClosed)
            }
        }
    }
}
