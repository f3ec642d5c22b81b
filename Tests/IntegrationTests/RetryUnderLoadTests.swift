// Retries under load: a bounded keep-alive run across two upstream processes while one of them is
// SIGKILLed and started again. With retry_on connect-failure,reset,5xx and previous_hosts, no
// client sees a failure.

import Foundation
import Testing
import TernTestSupport

@Suite("Retries under load", .requires(.curl, .python), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct RetryUnderLoadTests {
    @Test("an upstream killed and restarted mid-run costs no client-visible failure")
    func killAndRestart() async throws {
        let a = try await PythonHTTPUpstream.start(name: "a")
        var b = try await PythonHTTPUpstream.start(name: "b")
        let vhost = """
        - name: all
          domains: ["*"]
          routes:
          - match: { prefix: "/" }
            route:
              cluster: svc
              timeout: 10s
              retry_policy:
                retry_on: connect-failure,reset,5xx
                num_retries: 3
                retry_back_off: { base_interval: 0.01s, max_interval: 0.1s }
                retry_host_predicate:
                - name: envoy.retry_host_predicates.previous_hosts
        """
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: vhost)],
            clusters: [EnvoyConfig.staticCluster(name: "svc", ports: [a.port, b.port],
                                                 extra: "circuit_breakers: { thresholds: [ { max_retries: 100 } ] }")])
        try await TernProcess.with(config: config, concurrency: 2) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let load = KeepAliveLoad.start(port: port, connections: 8, maxDuration: .seconds(60))
            // Let traffic flow to both, kill b, run on a alone, bring b back, run on both again.
            @Sendable func served() async -> Int { (try? await proxy.stat("cluster.svc.upstream_rq_200")) ?? 0 }
            let warm = await waitUntil(timeout: .seconds(20)) { await served() >= 1000 }
            #expect(warm)
            await b.kill()
            let atKill = await served()
            let alone = await waitUntil(timeout: .seconds(20)) { await served() >= atKill + 1000 }
            #expect(alone)
            b = try await b.restart()
            let atRestart = await served()
            let both = await waitUntil(timeout: .seconds(20)) { await served() >= atRestart + 1000 }
            #expect(both)
            let report = await load.stop()
            #expect(report.failed == 0, "\(report)")
            #expect(report.succeeded >= 3000, "\(report)")
            #expect(report.byUpstream["b", default: 0] > 0 && report.byUpstream["a", default: 0] > 0, "\(report)")
            #expect(try await proxy.stat("cluster.svc.upstream_rq_retry") >= 1, "the kill was noticed and retried")
        }
        await a.stop()
        await b.stop()
    }
}
