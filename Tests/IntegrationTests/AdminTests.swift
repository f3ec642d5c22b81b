// The admin API with Envoy's paths and formats: stats named as Envoy names them, their Prometheus
// rendering, readiness, cluster and listener listings, and shutting down through /quitquitquit.

import Foundation
import Testing
import TernTestSupport

@Suite("Admin API", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct AdminTests {
    /// Listener "ingress" routing /ok to cluster "svc"; anything else has no route.
    static func config(upstreamPort: Int) -> String {
        let hosts = """
            - name: svc
              domains: ["*"]
              routes:
              - match: { prefix: "/ok" }
                route: { cluster: svc }
            """
        return EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: hosts)],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstreamPort)])
    }

    @Test("request and cluster counters carry Envoy's names and values")
    func envoyStatNames() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for _ in 0..<3 { #expect(try await Curl.get(port: port, "/ok").status == 200) }
            #expect(try await Curl.get(port: port, "/missing").status == 404)

            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_total", atLeast: 4) == 4)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_2xx", atLeast: 3) == 3)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_4xx", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_completed", atLeast: 4) == 4)
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_total", atLeast: 4) == 4)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_total", atLeast: 3) == 3)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_200", atLeast: 3) == 3)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_2xx", atLeast: 3) == 3)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_total", atLeast: 1) == 1)
            // Without a stat_prefix, listener stats are named after the configured address: with
            // port_value 0 that is "127.0.0.1_0", not the port the kernel picked.
            #expect(try await proxy.waitForStat("listener.127.0.0.1_0.downstream_cx_total", atLeast: 4) == 4)
            #expect(try await proxy.stat("cluster.svc.membership_healthy") == 1)
        }
        await upstream.stop()
    }

    @Test("/stats/prometheus renders counters with Envoy's names, labels and TYPE lines")
    func prometheus() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for _ in 0..<2 { #expect(try await Curl.get(port: port, "/ok").status == 200) }
            try await proxy.waitForStat("cluster.svc.upstream_rq_total", atLeast: 2)
            try await proxy.waitForStat("http.ingress.downstream_rq_completed", atLeast: 2)

            let lines = Set(try await proxy.prometheus().split(separator: "\n").map(String.init))
            let expected = [
                "# TYPE envoy_http_downstream_rq_total counter",
                "envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"ingress\"} 2",
                "# TYPE envoy_cluster_upstream_rq_total counter",
                "envoy_cluster_upstream_rq_total{envoy_cluster_name=\"svc\"} 2",
                "envoy_cluster_upstream_rq{envoy_response_code=\"200\",envoy_cluster_name=\"svc\"} 2",
                "envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"2\",envoy_cluster_name=\"svc\"} 2",
                "envoy_http_downstream_rq_xx{envoy_response_code_class=\"2\",envoy_http_conn_manager_prefix=\"ingress\"} 2",
            ]
            for line in expected {
                #expect(lines.contains(line), "missing Prometheus line: \(line)")
            }
        }
        await upstream.stop()
    }

    @Test("/ready answers LIVE, /server_info says so too, /clusters lists the endpoints")
    func readinessAndListings() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let ready = try await proxy.admin.get("/ready")
            #expect(ready.status == 200)
            #expect(ready.bodyText == "LIVE\n")

            let info = try await proxy.admin.get("/server_info")
            #expect(info.status == 200)
            let json = try JSONSerialization.jsonObject(with: Data(info.body)) as? [String: Any]
            #expect(json?["state"] as? String == "LIVE")

            let clusters = try await proxy.admin.get("/clusters")
            #expect(clusters.status == 200)
            #expect(clusters.bodyText.contains("svc::127.0.0.1:\(upstream.port)::health_flags::healthy"),
                    "\(clusters.bodyText.prefix(600))")

            let listeners = try await proxy.admin.get("/listeners")
            let port = try await proxy.listenerPort("ingress")
            #expect(listeners.bodyText.contains("ingress::127.0.0.1:\(port)"), "\(listeners.bodyText)")

            let missing = try await proxy.admin.get("/no-such-admin-path")
            #expect(missing.status == 404)
        }
        await upstream.stop()
    }

    @Test("POST /quitquitquit makes the process exit 0")
    func quitQuitQuit() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let response = try await proxy.admin.post("/quitquitquit")
            #expect(response.status == 200)
            let exit = await proxy.waitForExit(timeout: .seconds(15))
            #expect(exit == .exited(0), "exit: \(String(describing: exit))")
        }
        await upstream.stop()
    }
}
