import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import TernNetwork

/// tcp_proxy's access_log entries, written when both sides have closed.
@Suite("tcp_proxy access log", .serialized)
struct TCPProxyAccessLogTests {
    static let format = "%UPSTREAM_CLUSTER% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %UPSTREAM_HOST% %PROTOCOL% "
        + "%RESPONSE_CODE% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %UPSTREAM_TRANSPORT_FAILURE_REASON%\n"

    /// Flushes and reads the log until it has `lines` lines.
    private func logLines(_ path: String, lines: Int, group: any EventLoopGroup) async -> [String] {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            await AccessLogFlusher.flushAll(in: group)
            let text = AccessLogProtos.read(path)
            let found = text.split(separator: "\n").map(String.init)
            if found.count >= lines { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return AccessLogProtos.read(path).split(separator: "\n").map(String.init)
    }

    @Test func successfulSessionIsLogged() async throws {
        let upstreamGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let seen = UpstreamObservations()
        let server = try await startUpstream(group: upstreamGroup) { EchoHandler(seen: seen) }
        let port = server.localAddress!.port!
        let path = AccessLogProtos.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let h = try await TCPProxyHarness.start(endpoints: [port], upstreamGroup: upstreamGroup) {
            $0.accessLog = [try! AccessLogProtos.file(path: path, text: Self.format)]
        }
        let client = try RawClient(port: h.port)
        let outcome = try client.exchange(send: Array("ping".utf8), halfClose: true)
        #expect(outcome.bytes == Array("ping".utf8))
        let lines = await logLines(path, lines: 1, group: h.group)
        #expect(lines == ["backend - 4 4 127.0.0.1:\(port) - 0 127.0.0.1 -"])

        try await h.shutdown()
        try await server.close().get()
        try await upstreamGroup.shutdownGracefully()
    }

    @Test func connectFailureIsLoggedWithUF() async throws {
        let upstreamGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let dead = Blackhole.refusingPort()
        let path = AccessLogProtos.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let h = try await TCPProxyHarness.start(endpoints: [dead], upstreamGroup: upstreamGroup) {
            $0.accessLog = [try! AccessLogProtos.file(path: path, text: Self.format)]
        }
        let client = try RawClient(port: h.port)
        _ = try client.waitForClose()
        let lines = await logLines(path, lines: 1, group: h.group)
        #expect(lines == ["backend UF 0 0 127.0.0.1:\(dead) - 0 127.0.0.1 connection refused"])

        try await h.shutdown()
        try await upstreamGroup.shutdownGracefully()
    }

    @Test func defaultFormatForTCP() async throws {
        let upstreamGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let path = AccessLogProtos.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let h = try await TCPProxyHarness.start(endpoints: [], upstreamGroup: upstreamGroup) {
            $0.accessLog = [try! AccessLogProtos.file(path: path)]
        }
        let client = try RawClient(port: h.port)
        _ = try client.waitForClose()
        let lines = await logLines(path, lines: 1, group: h.group)
        let line = try #require(lines.first)
        // [2026-11-27T02:11:01.123Z] "- - -" 0 UH 0 0 <ms> - "-" "-" "-" "-" "-"
        #expect(line.hasPrefix("["))
        #expect(line.contains("] \"- - -\" 0 UH 0 0 "))
        #expect(line.hasSuffix(" - \"-\" \"-\" \"-\" \"-\" \"-\""))

        try await h.shutdown()
        try await upstreamGroup.shutdownGracefully()
    }
}
