import NIOCore
import SwiftProtobuf
import TernConfig

/// A compiled `envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`: which cluster(s) to
/// proxy to, the timeouts, connect attempts, access loggers and stats. Immutable and shared by
/// every connection on every worker.
struct TCPProxyConfig: Sendable {
    typealias Proto = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy

    let statPrefix: String
    /// Cluster names with their cumulative weights; one entry for a plain `cluster`.
    let clusters: [(name: String, upTo: UInt64)]
    let totalWeight: UInt64
    /// nil: disabled (`idle_timeout: 0s`). Envoy's default is one hour.
    let idleTimeout: TimeAmount?
    let maxConnectAttempts: Int
    let maxDownstreamConnectionDuration: TimeAmount?
    let accessLogs: [any AccessLogger]
    let stats: TCPProxyStats

    init(proto: Proto, path: String, context: CompileContext) throws {
        guard !proto.statPrefix.isEmpty else {
            throw CompileError("\(path).stat_prefix", "required (must not be empty)")
        }
        statPrefix = proto.statPrefix
        switch proto.clusterSpecifier {
        case nil:
            throw CompileError(path, "one of cluster or weighted_clusters is required")
        case .cluster(let name):
            guard context.clusterNames.contains(name) else {
                throw CompileError("\(path).cluster", "unknown cluster '\(name)'")
            }
            clusters = [(name, 1)]
            totalWeight = 1
        case .weightedClusters(let weighted):
            guard !weighted.clusters.isEmpty else {
                throw CompileError("\(path).weighted_clusters.clusters", "at least one cluster is required")
            }
            var entries: [(name: String, upTo: UInt64)] = []
            var total: UInt64 = 0
            for (i, entry) in weighted.clusters.enumerated() {
                let entryPath = "\(path).weighted_clusters.clusters[\(i)]"
                guard context.clusterNames.contains(entry.name) else {
                    throw CompileError("\(entryPath).name", "unknown cluster '\(entry.name)'")
                }
                guard entry.weight >= 1 else { throw CompileError("\(entryPath).weight", "must be at least 1") }
                if entry.hasMetadataMatch {
                    context.warn("\(entryPath).metadata_match", "not implemented by Tern yet; ignored")
                }
                total += UInt64(entry.weight)
                entries.append((entry.name, total))
            }
            clusters = entries
            totalWeight = total
        }
        if proto.hasIdleTimeout {
            idleTimeout = proto.idleTimeout.isZero ? nil : proto.idleTimeout.timeAmount
        } else {
            idleTimeout = .hours(1)
        }
        if proto.hasMaxConnectAttempts {
            guard proto.maxConnectAttempts.value >= 1 else {
                throw CompileError("\(path).max_connect_attempts", "must be at least 1")
            }
            maxConnectAttempts = Int(proto.maxConnectAttempts.value)
        } else {
            maxConnectAttempts = 1
        }
        let duration = proto.maxDownstreamConnectionDuration
        maxDownstreamConnectionDuration = proto.hasMaxDownstreamConnectionDuration && !duration.isZero ? duration.timeAmount : nil
        let unsupported: [(Bool, String)] = [
            (proto.hasDownstreamIdleTimeout, "downstream_idle_timeout"),
            (proto.hasUpstreamIdleTimeout, "upstream_idle_timeout"),
            (proto.hasMetadataMatch, "metadata_match"),
            (proto.hasTunnelingConfig, "tunneling_config"),
        ]
        for (isSet, field) in unsupported where isSet {
            context.warn("\(path).\(field)", "not implemented by Tern yet; ignored")
        }
        accessLogs = try AccessLogCompiler.compile(proto.accessLog, path: "\(path).access_log", context: context)
        stats = TCPProxyStats(root: context.stats.root, statPrefix: proto.statPrefix)
    }

    /// The cluster for a new connection: random by weight when there are several.
    func pickCluster() -> String {
        guard clusters.count > 1 else { return clusters[0].name }
        let point = UInt64.random(in: 0..<totalWeight)
        for entry in clusters where point < entry.upTo { return entry.name }
        return clusters[clusters.count - 1].name
    }
}
