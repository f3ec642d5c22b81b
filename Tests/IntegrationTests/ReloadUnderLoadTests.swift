// Reloading on SIGHUP while clients keep sending: the issue's promise is "zero failed requests
// during a reload under load". Four keep-alive client loops run while the config file is
// rewritten and reloaded several times (once with a broken file); every request must get a 200,
// no connection may break under a request, and the new route must take traffic. A client may be
// asked to reconnect (`connection: close` on a response): that is how a draining connection ends
// cleanly, and the load helper honours it.

import Foundation
import Testing
import TernTestSupport

@Suite("Reload under load", .ternOnly, .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct ReloadUnderLoadTests {
    /// One reload step: a config to write, or a broken file.
    enum Step {
        case good(String)
        case broken
    }

    /// Listener "ingress" routing everything to `target`, with the given clusters.
    static func config(routeTo target: String, clusters: [(name: String, port: Int)]) -> String {
        EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: target))],
            clusters: clusters.map { EnvoyConfig.staticCluster(name: $0.name, port: $0.port) })
    }

    /// Drain at once rather than spread over the drain time, so every open connection goes through
    /// the drain path during the few seconds of load.
    static let drainArguments = ["--drain-time-s", "5", "--drain-strategy", "immediate"]

    /// Runs the load, applies `steps` one SIGHUP each (waiting for each reload to be counted and
    /// letting the load run on under it), and returns the load's report.
    static func reloadUnderLoad(_ proxy: TernProcess, steps: [Step]) async throws -> LoadReport {
        let port = try await proxy.listenerPort("ingress")
        let load = KeepAliveLoad.start(port: port, connections: 4)
        // Let every loop get going on the first config before the first reload.
        try await Task.sleep(for: .milliseconds(400))
        var reloads = 0
        for step in steps {
            switch step {
            case .good(let yaml): try proxy.replaceConfig(yaml)
            case .broken: try proxy.replaceConfig("static_resources: { listeners: [ {name: broken\n")
            }
            proxy.send(signal: SIGHUP)
            reloads += 1
            let counted = try await waitUntil(timeout: .seconds(10)) {
                let stats = try await proxy.stats()
                return (stats["tern.config_reload.success"] ?? 0) + (stats["tern.config_reload.failure"] ?? 0) >= reloads
            }
            #expect(counted, "reload \(reloads) was never counted")
            // Pacing only: the load keeps running under the new config for a while.
            try await Task.sleep(for: .milliseconds(400))
        }
        return await load.stop()
    }

    @Test("route changes on SIGHUP (and one broken file) fail no request of a running load")
    func routeChangeUnderLoad() async throws {
        let a = try await UpstreamServer.start(.respond(body: "a"), name: "a")
        let b = try await UpstreamServer.start(.respond(body: "b"), name: "b")
        let clusters = [(name: "a", port: a.port), (name: "b", port: b.port)]
        let toA = Self.config(routeTo: "a", clusters: clusters)
        let toB = Self.config(routeTo: "b", clusters: clusters)
        try await TernProcess.with(config: toA, extraArguments: Self.drainArguments) { proxy in
            let report = try await Self.reloadUnderLoad(proxy, steps: [.good(toB), .good(toA), .broken, .good(toB)])
            #expect(report.failed == 0, "\(report)")
            #expect(report.succeeded > 50, "the load hardly ran: \(report)")
            // Each reload drains the connections of the old config: they are told to close.
            #expect(report.closeRequested > 0, "no connection was ever drained: \(report)")
            #expect((report.byUpstream["a"] ?? 0) > 0 && (report.byUpstream["b"] ?? 0) > 0, "\(report)")
            #expect(b.requests.count > 0, "B never received traffic")
            #expect(try await proxy.stat("tern.config_reload.success") == 3)
            #expect(try await proxy.stat("tern.config_reload.failure") == 1)
            #expect(proxy.isRunning)
            // The last good file routes to B.
            let last = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/after")
            #expect(last.status == 200 && last.bodyText == "b", "\(last)")
        }
        await a.stop()
        await b.stop()
    }

    @Test("clusters added and removed on SIGHUP fail no request of a running load")
    func clusterSetChangeUnderLoad() async throws {
        let a = try await UpstreamServer.start(.respond(body: "a"), name: "a")
        let b = try await UpstreamServer.start(.respond(body: "b"), name: "b")
        // Each reload adds the cluster the route moves to and removes the one it leaves.
        let onlyA = Self.config(routeTo: "a", clusters: [(name: "a", port: a.port)])
        let onlyB = Self.config(routeTo: "b", clusters: [(name: "b", port: b.port)])
        try await TernProcess.with(config: onlyA, extraArguments: Self.drainArguments) { proxy in
            let report = try await Self.reloadUnderLoad(proxy, steps: [.good(onlyB), .good(onlyA), .broken, .good(onlyB)])
            #expect(report.failed == 0, "\(report)")
            #expect(report.succeeded > 50, "the load hardly ran: \(report)")
            // Each reload drains the connections of the old config: they are told to close.
            #expect(report.closeRequested > 0, "no connection was ever drained: \(report)")
            #expect((report.byUpstream["b"] ?? 0) > 0, "\(report)")
            #expect(b.requests.count > 0, "B never received traffic")
            #expect(try await proxy.stat("tern.config_reload.success") == 3)
            #expect(try await proxy.stat("tern.config_reload.failure") == 1)
            #expect(try await proxy.stat("cluster_manager.cluster_removed") == 3)
            #expect(try await proxy.stat("cluster_manager.active_clusters") == 1)
            let clusters = try await proxy.admin.get("/clusters").bodyText
            #expect(clusters.contains("b::127.0.0.1:\(b.port)::") && !clusters.contains("a::127.0.0.1:"), "\(clusters)")
            let last = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/after")
            #expect(last.status == 200 && last.bodyText == "b", "\(last)")
        }
        await a.stop()
        await b.stop()
    }
}
