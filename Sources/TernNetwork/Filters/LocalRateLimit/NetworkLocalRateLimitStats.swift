import TernCore

/// Envoy's `local_rate_limit.<stat_prefix>.*` stats of the network filter (tag
/// `envoy_local_network_ratelimit_prefix`).
public final class NetworkLocalRateLimitStats: Sendable {
    /// Connections closed because the bucket was empty.
    public let rateLimited: Counter

    public init(root: StatScope, statPrefix: String) {
        let s = root.scope("local_rate_limit.", tag: "envoy_local_network_ratelimit_prefix", value: statPrefix)
        rateLimited = s.counter("rate_limited")
    }
}
