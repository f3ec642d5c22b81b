// Outlier detection: Envoy's `outlier_detection` on a cluster ejects a host that keeps failing,
// within `max_ejection_percent`, and counts it in `outlier_detection.*` stats.

import Foundation
import Testing
import TernTestSupport

@Suite("Outlier detection", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct OutlierDetectionTests {
    static func config(ports: [Int], maxEjectionPercent: Int) -> String {
        let outlier = """
            outlier_detection:
              consecutive_5xx: 3
              interval: 0.2s
              base_ejection_time: 30s
              max_ejection_percent: \(maxEjectionPercent)
            """
        return EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: "svc"))],
            clusters: [EnvoyConfig.staticCluster(name: "svc", ports: ports, extra: outlier)])
    }

    @Test("consecutive 503s eject the host; then every request goes to the good one")
    func consecutive5xxEjects() async throws {
        let bad = try await UpstreamServer.start(.respond(status: 503, body: "bad"))
        let good = try await UpstreamServer.start(.respond(status: 200, body: "good"))
        try await TernProcess.with(config: Self.config(ports: [bad.port, good.port], maxEjectionPercent: 50)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            // Round robin alternates, so 3 consecutive 503s from `bad` take about 6 requests.
            for _ in 0..<8 { _ = try await Curl.get(port: port, "/x") }
            #expect(try await proxy.waitForStat("cluster.svc.outlier_detection.ejections_enforced_total", atLeast: 1) == 1)
            #expect(try await proxy.stat("cluster.svc.outlier_detection.ejections_enforced_consecutive_5xx") == 1)
            #expect(try await proxy.stat("cluster.svc.outlier_detection.ejections_active") == 1)
            let clusters = try await proxy.admin.get("/clusters").bodyText
            #expect(clusters.contains("svc::127.0.0.1:\(bad.port)::health_flags::/failed_outlier_check"), "\(clusters)")
            let before = bad.requests.count
            for _ in 0..<6 {
                #expect(try await Curl.get(port: port, "/x").bodyText == "good")
            }
            #expect(bad.requests.count == before, "an ejected host gets no traffic")
        }
        await bad.stop()
        await good.stop()
    }

    @Test("max_ejection_percent caps ejections: with 2 hosts and 50%, only one is ejected")
    func maxEjectionPercent() async throws {
        let a = try await UpstreamServer.start(.respond(status: 503))
        let b = try await UpstreamServer.start(.respond(status: 503))
        try await TernProcess.with(config: Self.config(ports: [a.port, b.port], maxEjectionPercent: 50)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for _ in 0..<14 { _ = try await Curl.get(port: port, "/x") }
            #expect(try await proxy.waitForStat("cluster.svc.outlier_detection.ejections_overflow", atLeast: 1) >= 1)
            #expect(try await proxy.stat("cluster.svc.outlier_detection.ejections_enforced_total") == 1)
            #expect(try await proxy.stat("cluster.svc.outlier_detection.ejections_active") == 1)
        }
        await a.stop()
        await b.stop()
    }
}
