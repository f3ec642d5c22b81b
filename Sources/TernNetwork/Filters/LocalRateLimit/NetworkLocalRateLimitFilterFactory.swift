import NIOCore
import SwiftProtobuf
import TernConfig
import TernCore

/// `envoy.filters.network.local_ratelimit`: each new connection takes one token from a bucket
/// shared by every worker (and, with `share_key`, by other filters with the same key and
/// bucket). A connection that finds none is closed before it is proxied and counted in
/// `local_rate_limit.<stat_prefix>.rate_limited`. A non-terminal filter: it sits in front of
/// tcp_proxy or http_connection_manager.
public struct NetworkLocalRateLimitFilterFactory: NetworkFilterFactory {
    typealias Proto = Envoy_Extensions_Filters_Network_LocalRatelimit_V3_LocalRateLimit

    public let bucket: SharedTokenBucket
    public let stats: NetworkLocalRateLimitStats
    /// `runtime_enabled.default_value` (Tern has no runtime, so the default decides); on when unset.
    public let enabled: Bool

    /// The registry entry: name, config type and compile step.
    package static let registration = NetworkFilterRegistration(
        name: "envoy.filters.network.local_ratelimit",
        configType: Proto.self
    ) { any, path, context in
        let proto: Proto
        do {
            proto = try Proto(unpackingAny: any)
        } catch {
            throw CompileError(path, "invalid LocalRateLimit: \(error)")
        }
        return try NetworkLocalRateLimitFilterFactory(proto: proto, path: path, context: context)
    }

    init(proto: Proto, path: String, context: CompileContext) throws {
        guard !proto.statPrefix.isEmpty else {
            throw CompileError(path + ".stat_prefix", "required (must not be empty)")
        }
        guard proto.hasTokenBucket else {
            throw CompileError(path + ".token_bucket", "required")
        }
        let config = try TokenBucketConfig(proto: proto.tokenBucket, path: path + ".token_bucket")
        if proto.hasRuntimeEnabled {
            guard proto.runtimeEnabled.hasDefaultValue else {
                throw CompileError(path + ".runtime_enabled.default_value", "required")
            }
            enabled = proto.runtimeEnabled.defaultValue.value
        } else {
            enabled = true
        }
        let now = RateLimitClock.now()
        bucket = proto.shareKey.isEmpty
            ? SharedTokenBucket(config: config, now: now)
            : LocalRateLimitShareRegistry.bucket(shareKey: proto.shareKey, config: config, now: now)
        stats = NetworkLocalRateLimitStats(root: context.stats.root, statPrefix: proto.statPrefix)
    }

    public func addHandlers(to channel: any Channel, connection: DownstreamConnection) throws {
        guard enabled else { return }
        try channel.pipeline.syncOperations.addHandler(
            NetworkLocalRateLimitHandler(bucket: bucket, stats: stats, worker: connection.worker.index))
    }
}
