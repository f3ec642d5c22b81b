import NIOCore
import SwiftProtobuf
import TernConfig
import TernCore
import TernUpstream

/// Compiles a cluster's `health_checks` into a `HealthCheckConfig` with Envoy's defaults and
/// Envoy's required fields (`timeout`, `interval`, both thresholds, a checker type).
struct HealthCheckCompiler {
    let context: CompileContext

    /// The cluster's `health_checks` and `outlier_detection` with their stats.
    func clusterHealth(_ c: Envoy_Config_Cluster_V3_Cluster, statName: String, path: String) throws -> ClusterHealthConfig {
        var h = ClusterHealthConfig()
        h.healthCheck = try compile(c, path: path)
        if h.healthCheck != nil { h.healthCheckStats = HealthCheckStats(root: context.stats.root, statName: statName) }
        h.outlierDetection = try OutlierDetectionCompiler.compile(c, path: path)
        if h.outlierDetection != nil { h.outlierStats = OutlierDetectionStats(root: context.stats.root, statName: statName) }
        return h
    }

    /// An endpoint's `health_check_config`: `port_value` and `disable_active_health_check`.
    static func applyEndpointConfig(_ e: Envoy_Config_Endpoint_V3_Endpoint, to out: inout EndpointConfig, path: String,
                                    context: CompileContext) throws {
        guard e.hasHealthCheckConfig else { return }
        let h = e.healthCheckConfig
        if h.portValue > 65535 { throw CompileError("\(path).port_value", "must be at most 65535") }
        if h.portValue != 0 { out.healthCheckPort = Int(h.portValue) }
        out.disableActiveHealthCheck = h.disableActiveHealthCheck
        if !h.hostname.isEmpty { context.warn("\(path).hostname", "not implemented by Tern yet; ignored") }
        if h.hasAddress { context.warn("\(path).address", "not implemented by Tern yet; ignored") }
    }

    func compile(_ c: Envoy_Config_Cluster_V3_Cluster, path: String) throws -> HealthCheckConfig? {
        guard let hc = c.healthChecks.first else { return nil }
        if c.healthChecks.count > 1 {
            throw CompileError("\(path).health_checks", "multiple health checks are not supported (as in Envoy)")
        }
        let p = "\(path).health_checks[0]"
        let kind = try kind(hc, clusterName: c.name, path: p)
        let timeout = try required(hc.timeout, hc.hasTimeout, "\(p).timeout")
        let interval = try required(hc.interval, hc.hasInterval, "\(p).interval")
        guard hc.hasUnhealthyThreshold else { throw CompileError("\(p).unhealthy_threshold", "is required") }
        guard hc.hasHealthyThreshold else { throw CompileError("\(p).healthy_threshold", "is required") }
        if hc.hasAltPort, hc.altPort.value == 0 || hc.altPort.value > 65535 {
            throw CompileError("\(p).alt_port", "must be a port number (1-65535)")
        }
        return HealthCheckConfig(
            kind: kind, timeout: timeout, interval: interval,
            noTrafficInterval: try optional(hc.noTrafficInterval, hc.hasNoTrafficInterval, "\(p).no_traffic_interval") ?? .seconds(60),
            unhealthyInterval: try optional(hc.unhealthyInterval, hc.hasUnhealthyInterval, "\(p).unhealthy_interval"),
            unhealthyEdgeInterval: try optional(hc.unhealthyEdgeInterval, hc.hasUnhealthyEdgeInterval, "\(p).unhealthy_edge_interval"),
            healthyEdgeInterval: try optional(hc.healthyEdgeInterval, hc.hasHealthyEdgeInterval, "\(p).healthy_edge_interval"),
            intervalJitter: try nonNegative(hc.intervalJitter, "\(p).interval_jitter"),
            intervalJitterPercent: Int(hc.intervalJitterPercent),
            initialJitter: try nonNegative(hc.initialJitter, "\(p).initial_jitter"),
            // Envoy treats a threshold of 0 like 1: the first result decides.
            unhealthyThreshold: max(1, Int(hc.unhealthyThreshold.value)),
            healthyThreshold: max(1, Int(hc.healthyThreshold.value)),
            altPort: hc.hasAltPort ? Int(hc.altPort.value) : nil,
            reuseConnection: hc.hasReuseConnection ? hc.reuseConnection.value : true)
    }

    // MARK: - kinds

    private func kind(_ hc: Envoy_Config_Core_V3_HealthCheck, clusterName: String, path: String) throws -> HealthCheckConfig.Kind {
        switch hc.healthChecker {
        case .httpHealthCheck(let h)?:
            return .http(try http(h, path: "\(path).http_health_check"))
        case .tcpHealthCheck(let t)?:
            let tp = "\(path).tcp_health_check"
            return .tcp(TCPHealthCheckConfig(
                send: t.hasSend ? try payload(t.send, path: "\(tp).send") : [],
                receive: try t.receive.enumerated().map { try payload($1, path: "\(tp).receive[\($0)]") }))
        case .grpcHealthCheck(let g)?:
            // h2c with prior knowledge; the cluster's TLS transport socket is not applied to checks yet.
            return .grpc(GRPCHealthCheckConfig(
                serviceName: g.serviceName, authority: g.authority,
                initialMetadata: try headerOptions(g.initialMetadata, path: "\(path).grpc_health_check.initial_metadata")))
        case nil:
            throw CompileError(path, "a health checker is required (http_health_check, tcp_health_check or grpc_health_check)")
        }
    }

    private func http(_ h: Envoy_Config_Core_V3_HealthCheck.HttpHealthCheck, path: String) throws -> HTTPHealthCheckConfig {
        guard h.path.hasPrefix("/") else {
            throw CompileError("\(path).path", h.path.isEmpty ? "is required" : "must start with '/'")
        }
        if h.hasSend {
            context.warn("\(path).send", "not implemented by Tern yet; ignored (the check is a GET without a body)")
        }
        let adds = try headerOptions(h.requestHeadersToAdd, path: "\(path).request_headers_to_add")
        return HTTPHealthCheckConfig(
            host: h.host, path: h.path,
            expectedStatuses: h.expectedStatuses.isEmpty ? [200..<201]
                : try ranges(h.expectedStatuses, path: "\(path).expected_statuses"),
            retriableStatuses: try ranges(h.retriableStatuses, path: "\(path).retriable_statuses"),
            requestHeadersToAdd: adds, requestHeadersToRemove: h.requestHeadersToRemove.map { $0.lowercased() },
            receive: try h.receive.enumerated().map { try payload($1, path: "\(path).receive[\($0)]") })
    }

    /// `request_headers_to_add` / `initial_metadata`: lowercased names, append or overwrite.
    private func headerOptions(_ options: [Envoy_Config_Core_V3_HeaderValueOption],
                               path: String) throws -> [(name: String, value: String, append: Bool)] {
        try options.enumerated().map { i, option in
            let op = "\(path)[\(i)]"
            guard !option.header.key.isEmpty else { throw CompileError("\(op).header.key", "is required") }
            var append = option.hasAppend ? option.append.value : true
            switch option.appendAction {
            case .appendIfExistsOrAdd: break
            case .overwriteIfExistsOrAdd: append = false
            default: throw CompileError("\(op).append_action", "only APPEND_IF_EXISTS_OR_ADD and OVERWRITE_IF_EXISTS_OR_ADD are supported here")
            }
            return (option.header.key.lowercased(), option.header.value, append)
        }
    }

    /// Envoy: each range is `[start, end)` within 100–599 (end up to 600), start below end.
    private func ranges(_ list: [Envoy_Type_V3_Int64Range], path: String) throws -> [Range<Int>] {
        try list.enumerated().map { i, r in
            guard r.start >= 100, r.start < 600 else { throw CompileError("\(path)[\(i)].start", "must be in [100, 600)") }
            guard r.end > r.start, r.end <= 600 else { throw CompileError("\(path)[\(i)].end", "must be above start and at most 600") }
            return Int(r.start)..<Int(r.end)
        }
    }

    private func payload(_ p: Envoy_Config_Core_V3_HealthCheck.Payload, path: String) throws -> [UInt8] {
        switch p.payload {
        case .text(let hex)?:
            guard !hex.isEmpty, let bytes = HealthCheckPayloadMatcher.decodeHex(hex) else {
                throw CompileError("\(path).text", "must be non-empty hex, e.g. \"000000FF\"")
            }
            return bytes
        case .binary(let data)?:
            return Array(data)
        case nil:
            throw CompileError(path, "a payload (text or binary) is required")
        }
    }

    // MARK: - durations

    private func required(_ d: Google_Protobuf_Duration, _ isSet: Bool, _ path: String) throws -> TimeAmount {
        guard isSet else { throw CompileError(path, "is required") }
        let t = ProtoValues.timeAmount(d)
        guard t > .zero else { throw CompileError(path, "must be greater than 0") }
        return t
    }

    private func optional(_ d: Google_Protobuf_Duration, _ isSet: Bool, _ path: String) throws -> TimeAmount? {
        isSet ? try required(d, true, path) : nil
    }

    private func nonNegative(_ d: Google_Protobuf_Duration, _ path: String) throws -> TimeAmount {
        if ProtoValues.isNegative(d) { throw CompileError(path, "must not be negative") }
        return ProtoValues.timeAmount(d)
    }
}
