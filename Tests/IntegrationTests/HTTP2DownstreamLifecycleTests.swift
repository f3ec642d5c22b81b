// The life of an HTTP/2 (h2c) downstream connection: refusing HTTP/1.1 on an HTTP2-only
// listener, drain with GOAWAY, the connection idle timeout and max_requests_per_connection.
// The same tests run against Envoy.

import Foundation
import Testing
import TernTestSupport

@Suite("HTTP/2 downstream connections", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct HTTP2DownstreamLifecycleTests {
    static let http2Only = HTTP2DownstreamTests.http2Only

    @Test("codec_type HTTP2 refuses HTTP/1.1: no response, the connection closes")
    func http2RefusesHTTP1() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let connection = try await RawConnection.connect(port: port)
            try await connection.send("GET / HTTP/1.1\r\nhost: a\r\n\r\n")
            let read = try await connection.readUntilClose()
            await connection.close()
            #expect(read.peerClosed, "the connection stayed open: \(read.text)")
            // Whatever came back is HTTP/2 framing (SETTINGS, GOAWAY), never an HTTP/1.1 response.
            #expect(!read.text.contains("HTTP/1.1"))
            #expect(upstream.requests.isEmpty)
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_protocol_error", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_destroy", atLeast: 1) == 1)
        }
        await upstream.stop()
    }

    @Test("a drain sends GOAWAY: the stream in flight is answered, then the connection closes", .requires(.h2load))
    func drainWithStreamInFlight() async throws {
        let upstream = try await UpstreamServer.start(.delayed(.seconds(1), then: .respond(body: "late")))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only),
                                   extraArguments: ["--drain-time-s", "2", "--drain-strategy", "immediate"]) { proxy in
            let port = try await proxy.listenerPort("ingress")
            async let load = ProcessRunner.run(try Peer.h2load.require(), ["-n", "1", "-c", "1", "http://127.0.0.1:\(port)/slow"],
                                               timeout: .seconds(30))
            _ = await upstream.waitForRequests(1)
            #expect(try await proxy.admin.post("/drain_listeners?graceful").status == 200)
            let output = try await load
            #expect(output.stdoutText.contains("1 succeeded, 0 failed"), "\(output.stdoutText)\(output.stderrText)")
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_drain_close", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_destroy", atLeast: 1) == 1)
        }
        await upstream.stop()
    }

    @Test("an idle HTTP/2 connection gets GOAWAY and is closed after idle_timeout")
    func idleTimeout() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let options = """
            codec_type: HTTP2
            common_http_protocol_options: { idle_timeout: 0.3s }
            """
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: options)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let connection = try await RawConnection.connect(port: port)
            // The client preface and an empty SETTINGS frame, then nothing.
            try await connection.send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0])
            let read = try await connection.readUntilClose(timeout: .seconds(10))
            await connection.close()
            #expect(read.peerClosed && !read.timedOut)
            // A GOAWAY frame (type 7) came before the close.
            #expect(Self.frameTypes(read.bytes).contains(7), "\(read.bytes)")
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_idle_timeout", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_destroy_local", atLeast: 1) == 1)
        }
        await upstream.stop()
    }

    @Test("max_requests_per_connection drains an HTTP/2 connection after that many streams", .requires(.h2load))
    func maxRequestsPerConnection() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let options = """
            codec_type: HTTP2
            common_http_protocol_options: { max_requests_per_connection: 3 }
            """
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: options)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let output = try await ProcessRunner.run(try Peer.h2load.require(),
                                                     ["-n", "3", "-c", "1", "-m", "1", "http://127.0.0.1:\(port)/m"],
                                                     timeout: .seconds(30))
            #expect(output.stdoutText.contains("3 succeeded, 0 failed"), "\(output.stdoutText)")
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_max_requests_reached", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_destroy", atLeast: 1) == 1)
        }
        await upstream.stop()
    }

    /// The types of the HTTP/2 frames in `bytes` (a server's side of a connection).
    static func frameTypes(_ bytes: [UInt8]) -> [UInt8] {
        var types: [UInt8] = []
        var i = 0
        while i + 9 <= bytes.count {
            let length = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
            types.append(bytes[i + 3])
            i += 9 + length
        }
        return types
    }
}
