// Envoy's cluster circuit_breakers through the real binary: requests beyond max_pending_requests
// or max_requests get 503 with x-envoy-overloaded, connections beyond max_connections are not
// opened, retries beyond max_retries are not attempted, and a hanging upstream that counts what it
// holds never sees more than the limits at once.

import Foundation
import Testing
import TernTestSupport

@Suite("Circuit breakers", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct CircuitBreakerTests {
    static func config(port: Int, thresholds: String, routeExtra: String = "timeout: 3s") -> String {
        EnvoyConfig.httpProxy(to: port, routeExtra: routeExtra, clusterExtra: """
        circuit_breakers:
          thresholds:
          - \(thresholds)
        """)
    }

    /// Sends `count` requests at once and returns their responses.
    static func concurrent(_ count: Int, port: Int) async throws -> [CurlResponse] {
        try await withThrowingTaskGroup(of: CurlResponse.self) { group in
            for i in 0..<count {
                group.addTask { try await Curl.get(port: port, "/cb\(i)") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    static func overloaded(_ responses: [CurlResponse]) -> [CurlResponse] {
        responses.filter { $0.status == 503 && $0.headers["x-envoy-overloaded"] == "true" }
    }

    @Test("max_pending_requests: the request that would wait beyond the limit gets 503 UO at once")
    func pendingOverflow() async throws {
        let upstream = try await UpstreamServer.start(.hang)
        let config = Self.config(port: upstream.port, thresholds: "{ max_connections: 1, max_pending_requests: 1, track_remaining: true }")
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            // The first request waits for its connection as a pending request too, so let it reach
            // the upstream before the others come.
            async let first = Curl.get(port: port, "/first")
            #expect(await waitUntil(timeout: .seconds(10)) { upstream.requests.count == 1 })
            async let others = Self.concurrent(3, port: port)
            // While one request is held by the upstream and one waits, look at what the upstream has.
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_pending_overflow", atLeast: 2, timeout: .seconds(10)) == 2)
            #expect(upstream.connectionCount == 1, "the upstream never saw a second connection at once")
            #expect(upstream.requests.count <= 1)
            #expect(try await proxy.stat("cluster.svc.upstream_cx_overflow") >= 1)
            #expect(try await proxy.stat("cluster.svc.circuit_breakers.default.remaining_cx") == 0)
            #expect(try await proxy.stat("cluster.svc.circuit_breakers.default.cx_open") == 1)
            let all = try await [first] + others
            let refused = Self.overloaded(all)
            #expect(refused.count == 2, "\(all.map(\.status))")
            #expect(refused.allSatisfy { $0.bodyText.hasSuffix("reset reason: overflow") })
            #expect(all.filter { $0.status == 504 }.count == 2, "one held by the upstream, one waited and timed out")
        }
        await upstream.stop()
    }

    @Test("max_requests: requests beyond the limit are refused with 503 and x-envoy-overloaded")
    func requestOverflow() async throws {
        let upstream = try await UpstreamServer.start(.hang)
        let config = Self.config(port: upstream.port, thresholds: "{ max_requests: 2 }", routeExtra: "timeout: 2s")
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            async let responses = Self.concurrent(5, port: port)
            #expect(await waitUntil(timeout: .seconds(10)) { upstream.requests.count >= 2 })
            #expect(try await proxy.waitForStat("cluster.svc.circuit_breakers.default.rq_open", atLeast: 1) == 1)
            let all = try await responses
            #expect(Self.overloaded(all).count == 3, "\(all.map(\.status))")
            #expect(upstream.requests.count == 2, "the upstream never held more than max_requests")
            // Envoy 1.40 counts these differently (not verified which stat): Tern follows the documented upstream_rq_pending_overflow.
            if TestEnvironment.proxyUnderTest == .tern {
                #expect(try await proxy.stat("cluster.svc.upstream_rq_pending_overflow") == 3)
            }
            #expect(try await proxy.waitForStat("cluster.svc.circuit_breakers.default.rq_open", atLeast: 0) == 0)
        }
        await upstream.stop()
    }

    @Test("max_connections: no connection beyond the limit is opened; the others wait for one")
    func connectionLimit() async throws {
        let upstream = try await UpstreamServer.start(.delayed(.milliseconds(300), then: .respond(status: 200, body: "ok")))
        let config = Self.config(port: upstream.port, thresholds: "{ max_connections: 2 }", routeExtra: "timeout: 10s")
        try await TernProcess.with(config: config) { proxy in
            let responses = try await Self.concurrent(6, port: try await proxy.listenerPort("ingress"))
            #expect(responses.allSatisfy { $0.status == 200 }, "\(responses.map(\.status))")
            #expect(upstream.connectionCount <= 2, "opened \(upstream.connectionCount) connections")
            #expect(upstream.requests.count == 6)
            #expect(try await proxy.stat("cluster.svc.upstream_cx_overflow") >= 1)
        }
        await upstream.stop()
    }

    @Test("max_retries: a retry beyond the limit is not attempted (upstream_rq_retry_overflow, UO)")
    func retryOverflow() async throws {
        let upstream = try await UpstreamServer.start(.respond(status: 503))
        let config = EnvoyConfig.httpProxy(to: upstream.port, routeExtra: "retry_policy: { retry_on: 5xx, num_retries: 3 }",
                                           clusterExtra: "circuit_breakers: { thresholds: [ { max_retries: 0 } ] }")
        try await TernProcess.with(config: config) { proxy in
            let r = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/r")
            #expect(r.status == 503)
            #expect(upstream.requests.count == 1)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_retry_overflow", atLeast: 1) == 1)
            #expect(try await proxy.stat("cluster.svc.upstream_rq_retry") == 0)
        }
        await upstream.stop()
    }

    @Test("tcp_proxy honours max_connections: the connection beyond it is closed (upstream_cx_overflow)")
    func tcpProxyOverflow() async throws {
        let echo = try await TCPEchoServer.start()
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.tcpProxyListener(cluster: "svc")],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: echo.port,
                                                 extra: "circuit_breakers: { thresholds: [ { max_connections: 1 } ] }")])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("tcp")
            let first = try await RawConnection.connect(port: port)
            try await first.send("hello")
            #expect(try await first.read { $0.count >= 5 }.text == "hello")
            let second = try await RawConnection.connect(port: port)
            try await second.send("nobody listens")
            let refused = try await second.readUntilClose()
            #expect(refused.peerClosed && refused.bytes.isEmpty, "the second connection is closed without data")
            #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_overflow", atLeast: 1) == 1)
            await first.close()
        }
        await echo.stop()
    }
}
