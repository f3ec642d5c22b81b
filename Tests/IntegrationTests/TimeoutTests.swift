// The connection manager's own timeouts, with Envoy's answers and stats: `stream_idle_timeout`
// (no activity on a stream), `common_http_protocol_options.idle_timeout` (a connection with no
// stream), and `request_timeout` (the whole request must arrive in time). Envoy answers a timed
// out stream whose request was complete with 504 and one whose request was still arriving with
// 408 (`Utility::maybeRequestTimeoutCode`); the body names the timeout.

import Foundation
import Testing
import TernTestSupport

@Suite("Connection manager timeouts", .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct TimeoutTests {
    /// A route with the route timeout switched off (`timeout: 0s`), so only the HCM's timers act.
    static func config(upstreamPort: Int, hcmExtra: String) -> String {
        EnvoyConfig.httpProxy(to: upstreamPort, routeExtra: "timeout: 0s", hcmExtra: hcmExtra)
    }

    @Test("stream_idle_timeout with a silent upstream: 504 'stream timeout' after the complete request")
    func streamIdleTimeoutAfterRequest() async throws {
        let upstream = try await UpstreamServer.start(.hang)
        let config = Self.config(upstreamPort: upstream.port, hcmExtra: "stream_idle_timeout: 0.5s")
        try await TernProcess.with(config: config) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("ingress"))
            let started = ContinuousClock.now
            try await connection.send("GET /silent HTTP/1.1\r\nhost: x\r\n\r\n")
            let read = try await connection.readResponses(1, timeout: .seconds(10))
            let elapsed = ContinuousClock.now - started
            await connection.close()
            let response = try #require(read.responses.first, "no response: \(read.text)")
            #expect(response.status == 504, "\(response)")
            #expect(response.bodyText == "stream timeout")
            #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(5), "took \(elapsed)")
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_idle_timeout", atLeast: 1) == 1)
            #expect(await upstream.waitForRequests(1).count == 1)
        }
        await upstream.stop()
    }

    @Test("stream_idle_timeout while the request body stalls: 408 'stream timeout'")
    func streamIdleTimeoutDuringRequest() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        let config = Self.config(upstreamPort: upstream.port, hcmExtra: "stream_idle_timeout: 0.5s")
        try await TernProcess.with(config: config) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("ingress"))
            try await connection.send("POST /stalled HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nabc")
            let read = try await connection.readResponses(1, timeout: .seconds(10))
            await connection.close()
            let response = try #require(read.responses.first, "no response: \(read.text)")
            #expect(response.status == 408, "\(response)")
            #expect(response.bodyText == "stream timeout")
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_idle_timeout", atLeast: 1) == 1)
        }
        await upstream.stop()
    }

    @Test("idle_timeout: an idle connection is counted, drained for drain_timeout, then closed")
    func connectionIdleTimeout() async throws {
        // Envoy's idle timeout starts the connection's drain sequence; an HTTP/1.1 connection with
        // no stream is closed when `drain_timeout` (default 5 s) is over: here 0.5 s + 1 s.
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let config = Self.config(upstreamPort: upstream.port,
                                 hcmExtra: "common_http_protocol_options: { idle_timeout: 0.5s }\ndrain_timeout: 1s")
        try await TernProcess.with(config: config) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("ingress"))
            try await connection.send("GET /once HTTP/1.1\r\nhost: x\r\n\r\n")
            let first = try await connection.readResponses(1)
            #expect(first.responses.first?.status == 200)
            let idleFrom = ContinuousClock.now
            let end = try await connection.readUntilClose(timeout: .seconds(6))
            let idle = ContinuousClock.now - idleFrom
            await connection.close()
            #expect(end.peerClosed && !end.timedOut, "the idle connection stayed open")
            #expect(end.bytes.count == first.bytes.count, "nothing may be sent on the idle connection")
            #expect(idle >= .milliseconds(1400) && idle < .seconds(5), "closed after \(idle)")
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_idle_timeout", atLeast: 1) == 1)
        }
        await upstream.stop()
    }

    @Test("idle_timeout: a request in the drain window after it is served, with connection: close")
    func requestAfterIdleTimeout() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let config = Self.config(upstreamPort: upstream.port,
                                 hcmExtra: "common_http_protocol_options: { idle_timeout: 0.5s }\ndrain_timeout: 3s")
        try await TernProcess.with(config: config) { proxy in
            let client = try await KeepAliveClient.connect(port: try await proxy.listenerPort("ingress"))
            let first = try await client.request("GET", "/first")
            #expect(first.status == 200 && !first.closesConnection)
            // Once the idle timeout has fired (its counter says so) the connection is draining.
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_idle_timeout", atLeast: 1) == 1)
            let second: KeepAliveResponse?
            do {
                second = try await client.request("GET", "/second")
            } catch {
                second = nil
                Issue.record("the connection did not stay open for the drain window: \(error)")
            }
            await client.close()
            #expect(second?.status == 200)
            #expect(second?.closesConnection == true, "no connection: close while draining: \(String(describing: second?.headers))")
        }
        await upstream.stop()
    }

    @Test("a connection with a stream in progress is not closed by idle_timeout")
    func idleTimeoutSparesActiveStream() async throws {
        // The response takes ~1.2 s, more than twice the idle timeout.
        let upstream = try await UpstreamServer.start(.delayed(.milliseconds(1200), then: .respond(body: "late")))
        let config = Self.config(upstreamPort: upstream.port,
                                 hcmExtra: "common_http_protocol_options: { idle_timeout: 0.5s }")
        try await TernProcess.with(config: config) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("ingress"))
            try await connection.send("GET /slow HTTP/1.1\r\nhost: x\r\n\r\n")
            let read = try await connection.readResponses(1, timeout: .seconds(10))
            await connection.close()
            #expect(read.responses.first?.status == 200 && read.responses.first?.bodyText == "late", "\(read.text)")
            #expect(try await proxy.stat("http.ingress.downstream_cx_idle_timeout") == 0)
        }
        await upstream.stop()
    }

    @Test("request_timeout: a request body that never completes gets 408 'request timeout'")
    func requestTimeout() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        let config = Self.config(upstreamPort: upstream.port, hcmExtra: "request_timeout: 0.5s")
        try await TernProcess.with(config: config) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("ingress"))
            let started = ContinuousClock.now
            try await connection.send("POST /partial HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nabc")
            let read = try await connection.readResponses(1, timeout: .seconds(10))
            let elapsed = ContinuousClock.now - started
            await connection.close()
            let response = try #require(read.responses.first, "no response: \(read.text)")
            #expect(response.status == 408, "\(response)")
            #expect(response.bodyText == "request timeout")
            #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(5), "took \(elapsed)")
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_timeout", atLeast: 1) == 1)
        }
        await upstream.stop()
    }

    @Test("request_timeout does not cut a slow response to a complete request")
    func requestTimeoutSparesResponse() async throws {
        let upstream = try await UpstreamServer.start(.delayed(.milliseconds(1000), then: .respond(body: "slow")))
        let config = Self.config(upstreamPort: upstream.port, hcmExtra: "request_timeout: 0.5s")
        try await TernProcess.with(config: config) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("ingress"))
            try await connection.send("GET /complete HTTP/1.1\r\nhost: x\r\n\r\n")
            let read = try await connection.readResponses(1, timeout: .seconds(10))
            await connection.close()
            #expect(read.responses.first?.status == 200 && read.responses.first?.bodyText == "slow", "\(read.text)")
            #expect(try await proxy.stat("http.ingress.downstream_rq_timeout") == 0)
        }
        await upstream.stop()
    }
}
