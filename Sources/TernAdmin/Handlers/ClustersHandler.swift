/// `/clusters`: every active cluster and host as Envoy prints them, one `::`-separated fact per
/// line (`backend::127.0.0.1:8080::cx_total::3`), or `envoy.admin.v3.Clusters` JSON with
/// `?format=json` (see `ClustersHandler+JSON.swift`).
struct ClustersHandler: Sendable {
    let provider: any AdminProvider

    var routes: [AdminRoute] {
        [AdminRoute("/clusters", help: "upstream cluster status",
                    params: [.init("format", "text (default) or json")]) { request in
            let clusters = await provider.clusters()
            if request.first("format") == "json" {
                return .json(Self.json(clusters))
            }
            return .text(Self.text(clusters))
        }]
    }

    /// The text layout, in Envoy's line order: observability name, outlier figures (when the
    /// cluster has a detector), circuit breakers for both priorities, added_via_api, the EDS
    /// service name when set, then per host its stats sorted by name and its attributes.
    static func text(_ clusters: [AdminClusterStatus]) -> String {
        var out = ""
        for cluster in clusters {
            let c = cluster.name
            out += "\(c)::observability_name::\(cluster.observabilityName)\n"
            if let o = cluster.outlier {
                out += "\(c)::outlier::success_rate_average::\(NumberText.g(o.successRateAverage))\n"
                out += "\(c)::outlier::success_rate_ejection_threshold::\(NumberText.g(o.successRateEjectionThreshold))\n"
                out += "\(c)::outlier::local_origin_success_rate_average::\(NumberText.g(o.localOriginSuccessRateAverage))\n"
                out += "\(c)::outlier::local_origin_success_rate_ejection_threshold::"
                    + "\(NumberText.g(o.localOriginSuccessRateEjectionThreshold))\n"
            }
            appendThresholds(cluster.defaultPriority, cluster: c, priority: "default", to: &out)
            appendThresholds(cluster.highPriority, cluster: c, priority: "high", to: &out)
            out += "\(c)::added_via_api::\(cluster.addedViaAPI)\n"
            if !cluster.edsServiceName.isEmpty {
                out += "\(c)::eds_service_name::\(cluster.edsServiceName)\n"
            }
            for host in cluster.hosts {
                let h = "\(c)::\(host.address)::"
                // Envoy merges host counters and gauges into one name-sorted map.
                for (name, value) in (host.counters + host.gauges).sorted(by: { $0.0 < $1.0 }) {
                    out += "\(h)\(name)::\(value)\n"
                }
                out += "\(h)hostname::\(host.hostname)\n"
                out += "\(h)health_flags::\(host.healthFlags)\n"
                out += "\(h)weight::\(host.weight)\n"
                out += "\(h)region::\(host.region)\n"
                out += "\(h)zone::\(host.zone)\n"
                out += "\(h)sub_zone::\(host.subZone)\n"
                out += "\(h)canary::\(host.canary)\n"
                out += "\(h)priority::\(host.priority)\n"
                out += "\(h)success_rate::\(NumberText.shortest(host.successRate))\n"
                out += "\(h)local_origin_success_rate::\(NumberText.shortest(host.localOriginSuccessRate))\n"
            }
        }
        return out
    }

    private static func appendThresholds(_ t: AdminClusterStatus.Thresholds, cluster: String, priority: String,
                                         to out: inout String) {
        let p = "\(cluster)::\(priority)_priority::"
        out += "\(p)max_connections::\(t.maxConnections)\n"
        out += "\(p)max_pending_requests::\(t.maxPendingRequests)\n"
        out += "\(p)max_requests::\(t.maxRequests)\n"
        out += "\(p)max_retries::\(t.maxRetries)\n"
    }
}
