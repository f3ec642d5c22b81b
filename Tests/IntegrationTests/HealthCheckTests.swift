// Active health checking: Envoy's `health_checks` on a cluster. A failing host is marked
// `/failed_active_hc` in /clusters, traffic avoids it, and it returns once its checks pass again.

import Foundation
import Testing
import TernTestSupport

@Suite("Active health checking", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct HealthCheckTests {
    /// `health_checks` with short intervals (checks every 100 ms whether or not traffic flowed).
    static func healthCheck(_ checker: String, unhealthy: Int = 1, healthy: Int = 1) -> String {
        """
        health_checks:
        - timeout: 1s
          interval: 0.1s
          no_traffic_interval: 0.1s
          unhealthy_threshold: \(unhealthy)
          healthy_threshold: \(healthy)
        \(EnvoyConfig.indent(checker, 2))
        """
    }

    /// The `health_flags` /clusters shows for `cluster`'s host on `port`.
    static func healthFlags(_ proxy: TernProcess, cluster: String, port: Int) async throws -> String? {
        let text = try await proxy.admin.get("/clusters").bodyText
        let prefix = "\(cluster)::127.0.0.1:\(port)::health_flags::"
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    @Test("an HTTP check failing /healthz takes the host out, traffic avoids it, and it recovers")
    func httpCheckFailsAndRecovers() async throws {
        let sick = try await UpstreamServer.start(name: "sick")
        let good = try await UpstreamServer.start(name: "good")
        sick.behavior = .custom { $0.path == "/healthz" ? .respond(status: 503) : .respond(body: "sick") }
        good.behavior = .custom { $0.path == "/healthz" ? .respond(status: 200) : .respond(body: "good") }
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: "svc"))],
            clusters: [EnvoyConfig.staticCluster(name: "svc", ports: [sick.port, good.port],
                                                 extra: Self.healthCheck("http_health_check: { path: /healthz }"))])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await waitUntil(timeout: .seconds(20)) {
                let sickFlags = try await Self.healthFlags(proxy, cluster: "svc", port: sick.port)
                let goodFlags = try await Self.healthFlags(proxy, cluster: "svc", port: good.port)
                return sickFlags == "/failed_active_hc" && goodFlags == "healthy"
            })
            for _ in 0..<6 {
                #expect(try await Curl.get(port: port, "/x").bodyText == "good")
            }
            let checks = sick.requests.filter { $0.path == "/healthz" }
            #expect(checks.first?.headers["user-agent"] == "Envoy/HC")
            #expect(checks.first?.headers["host"] == "svc", "the Host header defaults to the cluster name")
            #expect(try await proxy.waitForStat("cluster.svc.health_check.failure", atLeast: 1) >= 1)
            #expect(try await proxy.stat("cluster.svc.health_check.healthy") == 1)

            sick.behavior = .custom { $0.path == "/healthz" ? .respond(status: 200) : .respond(body: "sick") }
            #expect(try await waitUntil(timeout: .seconds(20)) {
                try await Self.healthFlags(proxy, cluster: "svc", port: sick.port) == "healthy"
            })
            var bodies = Set<String>()
            for _ in 0..<6 { bodies.insert(try await Curl.get(port: port, "/x").bodyText) }
            #expect(bodies == ["sick", "good"], "both hosts take traffic again")
            #expect(try await proxy.waitForStat("cluster.svc.health_check.healthy", atLeast: 2) == 2)
        }
        await sick.stop()
        await good.stop()
    }

    @Test("a TCP check sends its payload and needs the expected bytes back")
    func tcpCheck() async throws {
        let echo = try await TCPEchoServer.start()
        let deadPort = try await UnusedPort.next()
        // "PING" in hex; the echo server sends it back, which is what `receive` expects.
        let checker = """
            tcp_health_check:
              send: { text: "50494e47" }
              receive: [{ text: "50494e47" }]
            """
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.tcpProxyListener(cluster: "echo")],
            clusters: [EnvoyConfig.staticCluster(name: "echo", ports: [echo.port, deadPort],
                                                 extra: Self.healthCheck(checker))])
        try await TernProcess.with(config: config) { proxy in
            let marked = try await waitUntil(timeout: .seconds(20)) {
                let live = try await Self.healthFlags(proxy, cluster: "echo", port: echo.port)
                let dead = try await Self.healthFlags(proxy, cluster: "echo", port: deadPort)
                return live == "healthy" && dead == "/failed_active_hc"
            }
            #expect(marked)
            #expect(echo.bytesEchoed >= 4, "the check wrote its payload")
            #expect(try await proxy.waitForStat("cluster.echo.health_check.network_failure", atLeast: 1) >= 1)
        }
        await echo.stop()
    }

    @Test("health checks stop when a reload removes the cluster", .ternOnly)
    func checksStopOnRemoval() async throws {
        let upstream = try await UpstreamServer.start(.respond(status: 200))
        let other = try await UpstreamServer.start(.respond(status: 200))
        func config(_ clusters: [String]) -> String {
            EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: "other"))],
                                  clusters: clusters)
        }
        let checked = EnvoyConfig.staticCluster(name: "checked", port: upstream.port,
                                                extra: Self.healthCheck("http_health_check: { path: /healthz }"))
        let plain = EnvoyConfig.staticCluster(name: "other", port: other.port)
        try await TernProcess.with(config: config([checked, plain])) { proxy in
            #expect(await upstream.waitForRequests(3).count >= 3, "checks run every 100 ms")
            try proxy.replaceConfig(config([plain]))
            proxy.send(signal: SIGHUP)
            #expect(try await proxy.waitForStat("tern.config_reload.success", atLeast: 1) == 1)
            // Let any check already in flight land, then no new one may come.
            try await Task.sleep(for: .milliseconds(500))
            let settled = upstream.requests.count
            try await Task.sleep(for: .seconds(1))
            #expect(upstream.requests.count == settled, "a removed cluster must not be checked")
        }
        await upstream.stop()
        await other.stop()
    }
}
