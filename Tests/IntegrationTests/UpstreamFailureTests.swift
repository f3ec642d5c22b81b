// When the upstream is dead, slow, or breaks the connection: the status, body text and stats that
// Envoy produces, which is what clients and dashboards written for Envoy expect.

import Foundation
import Testing
import TernTestSupport

@Suite("Upstream failures", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct UpstreamFailureTests {
    /// The start of every body Envoy writes when it got no response headers from upstream.
    static let noHeadersBody = "upstream connect error or disconnect/reset before headers"

    @Test("a dead upstream gives 503, Envoy's body text and a connect-failure stat")
    func deadUpstream() async throws {
        let deadPort = try await UnusedPort.next()
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: deadPort)) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/x")
            #expect(response.status == 503)
            #expect(response.bodyText.hasPrefix(Self.noHeadersBody), "\(response.bodyText)")
            #expect(response.bodyText.contains("remote connection failure"), "\(response.bodyText)")
            #expect(response.headers["content-type"] == "text/plain")
            #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_connect_fail", atLeast: 1) >= 1)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_503", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_5xx", atLeast: 1) == 1)
        }
    }

    @Test("a route timeout gives 504 'upstream request timeout' and counts upstream_rq_timeout")
    func routeTimeout() async throws {
        let upstream = try await UpstreamServer.start(.hang)
        let config = EnvoyConfig.httpProxy(to: upstream.port, routeExtra: "timeout: 0.5s")
        try await TernProcess.with(config: config) { proxy in
            let started = ContinuousClock.now
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/slow")
            let elapsed = ContinuousClock.now - started
            #expect(response.status == 504)
            #expect(response.bodyText == "upstream request timeout")
            #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(10), "took \(elapsed)")
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_timeout", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_504", atLeast: 1) == 1)
            #expect(await upstream.waitForRequests(1).count == 1, "the request did reach the upstream")
        }
        await upstream.stop()
    }

    @Test("a trusted client's x-envoy-upstream-rq-timeout-ms replaces the route timeout and is not forwarded")
    func headerTimeoutFromTrustedClient() async throws {
        let upstream = try await UpstreamServer.start(.hang)
        // The route would wait 60 s (longer than curl's 30 s limit): only the header can make it 504.
        let trusted = """
            use_remote_address: true
            internal_address_config:
              cidr_ranges: [{ address_prefix: 127.0.0.0, prefix_len: 8 }]
            """
        let config = EnvoyConfig.httpProxy(to: upstream.port, routeExtra: "timeout: 60s", hcmExtra: trusted)
        try await TernProcess.with(config: config) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/slow",
                                              headers: ["x-envoy-upstream-rq-timeout-ms: 300"])
            #expect(response.status == 504, "\(response)")
            #expect(response.bodyText == "upstream request timeout")
            let seen = try #require(await upstream.waitForRequests(1).first)
            #expect(seen.headers["x-envoy-upstream-rq-timeout-ms"] == nil)
            #expect(seen.headers["x-envoy-expected-rq-timeout-ms"] == "300")
        }
        await upstream.stop()
    }

    @Test("the route timeout covers the whole response, not just its headers")
    func timeoutDuringSlowBody() async throws {
        // Headers arrive at once; the body would take 2 s. The 0.5 s route timeout fires first,
        // after headers were sent, so the client sees a 200 whose body is cut short.
        let upstream = try await UpstreamServer.start(.streamed(["a", "b", "c", "d"], interval: .milliseconds(500)))
        let config = EnvoyConfig.httpProxy(to: upstream.port, routeExtra: "timeout: 0.5s")
        try await TernProcess.with(config: config) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/slow-body")
            #expect(response.status == 200)
            #expect(response.exitCode != 0, "the body must end abnormally, not look complete")
            #expect(response.bodyText != "abcd")
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_timeout", atLeast: 1) == 1)
        }
        await upstream.stop()
    }

    @Test("an upstream that closes before answering gives 503 with the reset reason")
    func upstreamClosesBeforeResponse() async throws {
        let upstream = try await UpstreamServer.start(.closeBeforeResponse)
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port)) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/closed")
            #expect(response.status == 503)
            #expect(response.bodyText.hasPrefix(Self.noHeadersBody), "\(response.bodyText)")
            #expect(response.bodyText.contains("connection termination"), "\(response.bodyText)")
        }
        await upstream.stop()
    }

    @Test("an upstream that resets the connection gives 503")
    func upstreamResets() async throws {
        let upstream = try await UpstreamServer.start(.reset)
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port)) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/reset")
            #expect(response.status == 503)
            #expect(response.bodyText.hasPrefix(Self.noHeadersBody), "\(response.bodyText)")
        }
        await upstream.stop()
    }

    @Test("an upstream that closes mid-response cuts the client's response short")
    func upstreamClosesMidResponse() async throws {
        let upstream = try await UpstreamServer.start(.closeMidResponse(sent: 10, declared: 100))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port)) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/cut")
            #expect(response.status == 200, "headers were already sent, so the status stays")
            #expect(response.exitCode != 0, "curl must notice the missing bytes")
            #expect(response.body.count < 100)
        }
        await upstream.stop()
    }
}
