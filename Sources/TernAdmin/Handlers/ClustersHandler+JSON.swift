/// `/clusters?format=json`: `envoy.admin.v3.Clusters` in proto3 JSON as Envoy prints it: fields in
/// field-number order, default values omitted, uint64 stat values as strings.
extension ClustersHandler {
    static func json(_ clusters: [AdminClusterStatus]) -> AdminJSON {
        ["cluster_statuses": .array(clusters.map(clusterJSON))]
    }

    private static func clusterJSON(_ cluster: AdminClusterStatus) -> AdminJSON {
        var m: [AdminJSON.Member] = [.init("name", .string(cluster.name))]
        if cluster.addedViaAPI { m.append(.init("added_via_api", true)) }
        if let o = cluster.outlier, o.successRateEjectionThreshold > 0 {
            m.append(.init("success_rate_ejection_threshold", ["value": .double(o.successRateEjectionThreshold)]))
        }
        if !cluster.hosts.isEmpty { m.append(.init("host_statuses", .array(cluster.hosts.map(hostJSON)))) }
        if let o = cluster.outlier, o.localOriginSuccessRateEjectionThreshold > 0 {
            m.append(.init("local_origin_success_rate_ejection_threshold",
                           ["value": .double(o.localOriginSuccessRateEjectionThreshold)]))
        }
        m.append(.init("circuit_breakers", ["thresholds": [
            thresholdsJSON(cluster.defaultPriority, priority: nil),
            thresholdsJSON(cluster.highPriority, priority: "HIGH"),
        ]]))
        if !cluster.observabilityName.isEmpty { m.append(.init("observability_name", .string(cluster.observabilityName))) }
        if !cluster.edsServiceName.isEmpty { m.append(.init("eds_service_name", .string(cluster.edsServiceName))) }
        return .object(m)
    }

    /// DEFAULT priority is the enum's zero value, so it is omitted.
    private static func thresholdsJSON(_ t: AdminClusterStatus.Thresholds, priority: String?) -> AdminJSON {
        var m: [AdminJSON.Member] = []
        if let priority { m.append(.init("priority", .string(priority))) }
        m.append(.init("max_connections", .int(Int64(clamping: t.maxConnections))))
        m.append(.init("max_pending_requests", .int(Int64(clamping: t.maxPendingRequests))))
        m.append(.init("max_requests", .int(Int64(clamping: t.maxRequests))))
        m.append(.init("max_retries", .int(Int64(clamping: t.maxRetries))))
        return .object(m)
    }

    private static func hostJSON(_ host: AdminClusterStatus.Host) -> AdminJSON {
        // Counters then gauges, each in Envoy's declaration order; COUNTER is the enum default.
        let stats = host.counters.map { statJSON($0.0, $0.1, type: nil) } + host.gauges.map { statJSON($0.0, $0.1, type: "GAUGE") }
        var m: [AdminJSON.Member] = [
            .init("address", AddressJSON.json(host.address)),
            .init("stats", .array(stats)),
            .init("health_status", healthJSON(host.healthFlags)),
        ]
        if host.successRate >= 0 { m.append(.init("success_rate", ["value": .double(host.successRate)])) }
        if host.weight != 0 { m.append(.init("weight", .int(Int64(host.weight)))) }
        if !host.hostname.isEmpty { m.append(.init("hostname", .string(host.hostname))) }
        if host.priority != 0 { m.append(.init("priority", .int(Int64(host.priority)))) }
        if host.localOriginSuccessRate >= 0 {
            m.append(.init("local_origin_success_rate", ["value": .double(host.localOriginSuccessRate)]))
        }
        var locality: [AdminJSON.Member] = []
        if !host.region.isEmpty { locality.append(.init("region", .string(host.region))) }
        if !host.zone.isEmpty { locality.append(.init("zone", .string(host.zone))) }
        if !host.subZone.isEmpty { locality.append(.init("sub_zone", .string(host.subZone))) }
        m.append(.init("locality", .object(locality)))
        return .object(m)
    }

    private static func statJSON(_ name: String, _ value: UInt64, type: String?) -> AdminJSON {
        var m: [AdminJSON.Member] = []
        if let type { m.append(.init("type", .string(type))) }
        if value != 0 { m.append(.init("value", AdminJSON.int64String(value))) }
        m.append(.init("name", .string(name)))
        return .object(m)
    }

    /// `envoy.admin.v3.HostHealthStatus` from Envoy's health-flag string.
    static func healthJSON(_ flags: String) -> AdminJSON {
        let set = Set(flags.split(separator: "/").map(String.init))
        var eds = "HEALTHY"
        if set.contains("failed_eds_health") { eds = "UNHEALTHY" }
        else if set.contains("eds_status_draining") { eds = "DRAINING" }
        else if set.contains("degraded_eds_health") { eds = "DEGRADED" }
        var m: [AdminJSON.Member] = []
        if set.contains("failed_active_hc") { m.append(.init("failed_active_health_check", true)) }
        if set.contains("failed_outlier_check") { m.append(.init("failed_outlier_check", true)) }
        m.append(.init("eds_health_status", .string(eds)))
        if set.contains("degraded_active_hc") { m.append(.init("failed_active_degraded_check", true)) }
        if set.contains("pending_dynamic_removal") { m.append(.init("pending_dynamic_removal", true)) }
        if set.contains("pending_active_hc") { m.append(.init("pending_active_hc", true)) }
        if set.contains("excluded_via_immediate_hc_fail") { m.append(.init("excluded_via_immediate_hc_fail", true)) }
        if set.contains("active_hc_timeout") { m.append(.init("active_hc_timeout", true)) }
        return .object(m)
    }
}
