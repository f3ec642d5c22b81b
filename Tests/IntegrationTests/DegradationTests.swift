// tern.filters.http.degradation through the real binary: a route whose cluster has no healthy
// host, or whose circuit breaker is open, answers from its fallback (a direct response or another
// cluster); a route whose cluster can serve is untouched. Tern's own extension, so Tern-only.

import Foundation
import Testing
import TernTestSupport

@Suite("Degradation", .requires(.curl), .ternOnly, .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct DegradationTests {
    /// Listener "ingress" with the degradation filter; `routes` is a YAML list; clusters are given.
    static func config(routes: String, clusters: [String]) -> String {
        let listener = """
            - name: ingress
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
              - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: ingress
                    route_config:
                      virtual_hosts:
                      - name: all
                        domains: ["*"]
                        routes:
            \(EnvoyConfig.indent(routes, 12))
                    http_filters:
                    - name: tern.filters.http.degradation
                      typed_config:
                        "@type": type.googleapis.com/tern.extensions.filters.http.degradation.v3.Degradation
                    - name: envoy.filters.http.router
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
            """
        return EnvoyConfig.bootstrap(listeners: [listener], clusters: clusters)
    }

    /// A route to `cluster` under `prefix` with a degradation policy whose fallback is `fallback` (YAML).
    static func route(_ prefix: String, to cluster: String, routeExtra: String = "", fallback: String) -> String {
        """
        - match: { prefix: "\(prefix)" }
          route:
            cluster: \(cluster)
        \(EnvoyConfig.indent(routeExtra, 4))
          typed_per_filter_config:
            tern.filters.http.degradation:
              "@type": type.googleapis.com/tern.extensions.filters.http.degradation.v3.DegradationPerRoute
        \(EnvoyConfig.indent(fallback, 6))
        """
    }

    /// A STATIC cluster whose one endpoint at `port` is configured unhealthy (`health_status`).
    static func unhealthyCluster(_ name: String, port: Int) -> String {
        """
        - name: \(name)
          type: STATIC
          connect_timeout: 1s
          load_assignment:
            cluster_name: \(name)
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: \(port) } } }
                health_status: UNHEALTHY
        """
    }

    @Test("no healthy host: the direct-response fallback answers and the upstream sees nothing")
    func directResponseWhenNoHealthyHost() async throws {
        let down = try await UpstreamServer.start(.respond(body: "primary"))
        let up = try await UpstreamServer.start(.respond(body: "healthy"))
        let routes = Self.route("/down", to: "down", fallback: """
            direct_response: { status: 200, body: { inline_string: "cached answer" } }
            response_headers_to_add: [{ header: { key: x-degraded, value: "true" } }]
            """) + "\n" + Self.route("/", to: "up", fallback: """
            direct_response: { status: 503, body: { inline_string: "unused" } }
            """)
        let config = Self.config(routes: routes, clusters: [
            Self.unhealthyCluster("down", port: down.port), EnvoyConfig.staticCluster(name: "up", port: up.port)])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let degraded = try await Curl.get(port: port, "/down")
            #expect(degraded.status == 200)
            #expect(degraded.bodyText == "cached answer")
            #expect(degraded.headers["x-degraded"] == "true")
            #expect(down.requests.isEmpty, "a degraded route never reaches its cluster")
            let normal = try await Curl.get(port: port, "/other")
            #expect(normal.status == 200 && normal.bodyText == "healthy", "a healthy cluster's route is untouched")
            #expect(normal.headers["x-degraded"] == nil)
            #expect(try await proxy.stat("http.ingress.degradation.no_healthy_upstream") == 1)
            #expect(try await proxy.stat("http.ingress.degradation.fallback_direct_response") == 1)
            #expect(try await proxy.stat("http.ingress.degradation.fallback_cluster") == 0)
        }
        await down.stop()
        await up.stop()
    }

    @Test("no healthy host: the fallback cluster serves the request, with the policy's response headers")
    func fallbackCluster() async throws {
        let down = try await UpstreamServer.start(.respond(body: "primary"))
        let backup = try await UpstreamServer.start(.respond(body: "backup"))
        let routes = Self.route("/", to: "primary", fallback: """
            cluster: backup
            response_headers_to_add: [{ header: { key: x-served-by, value: fallback } }]
            """)
        let config = Self.config(routes: routes, clusters: [
            Self.unhealthyCluster("primary", port: down.port), EnvoyConfig.staticCluster(name: "backup", port: backup.port)])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for i in 0..<3 {
                let r = try await Curl.get(port: port, "/item/\(i)")
                #expect(r.status == 200 && r.bodyText == "backup")
                #expect(r.headers["x-served-by"] == "fallback")
            }
            #expect(down.requests.isEmpty)
            #expect(backup.requests.map(\.uri) == ["/item/0", "/item/1", "/item/2"])
            #expect(try await proxy.stat("http.ingress.degradation.fallback_cluster") == 3)
            #expect(try await proxy.stat("cluster.backup.upstream_rq_total") == 3)
        }
        await down.stop()
        await backup.stop()
    }

    @Test("circuit open: while max_requests are in flight, the next request gets the fallback")
    func circuitOpen() async throws {
        let hanging = try await UpstreamServer.start(.hang)
        let routes = Self.route("/", to: "slow", routeExtra: "timeout: 3s", fallback: """
            triggers: [CIRCUIT_OPEN]
            direct_response: { status: 503, body: { inline_string: "busy, try later" } }
            """)
        let slow = EnvoyConfig.staticCluster(name: "slow", port: hanging.port, extra: """
            circuit_breakers:
              thresholds:
              - { max_requests: 1 }
            """)
        try await TernProcess.with(config: Self.config(routes: routes, clusters: [slow])) { proxy in
            let port = try await proxy.listenerPort("ingress")
            async let held = Curl.get(port: port, "/held")
            #expect(await waitUntil(timeout: .seconds(10)) { hanging.requests.count == 1 })
            #expect(try await proxy.waitForStat("cluster.slow.circuit_breakers.default.rq_open", atLeast: 1) == 1)
            let degraded = try await Curl.get(port: port, "/next")
            #expect(degraded.status == 503)
            #expect(degraded.bodyText == "busy, try later")
            #expect(degraded.headers["x-envoy-overloaded"] == nil, "answered by the fallback, not by the breaker")
            #expect(hanging.requests.count == 1, "the upstream never saw the degraded request")
            #expect(try await proxy.stat("http.ingress.degradation.circuit_open") == 1)
            #expect(try await held.status == 504)
        }
        await hanging.stop()
    }
}
