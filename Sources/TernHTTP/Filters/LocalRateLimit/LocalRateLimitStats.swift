import TernCore

/// Envoy's `<stat_prefix>.http_local_rate_limit.*` stats. They are rooted at the filter's own
/// `stat_prefix`, not under the connection manager's `http.<prefix>.` (tag
/// `envoy_local_http_ratelimit_prefix`), and a per-route config with its own prefix has its own.
final class LocalRateLimitStats: Sendable {
    /// Requests the filter was enabled for (`filter_enabled`).
    let enabled: Counter
    /// Rate-limited requests that were answered locally (`filter_enforced`).
    let enforced: Counter
    /// Requests over the limit, enforced or not.
    let rateLimited: Counter
    /// Requests within the limit.
    let ok: Counter
    /// Requests over the limit of a descriptor in `shadow_mode`, let through.
    let shadowMode: Counter

    init(root: StatScope, statPrefix: String) {
        let s = root.scope("", tag: "envoy_local_http_ratelimit_prefix", value: statPrefix).scope("http_local_rate_limit.")
        enabled = s.counter("enabled")
        enforced = s.counter("enforced")
        rateLimited = s.counter("rate_limited")
        ok = s.counter("ok")
        shadowMode = s.counter("shadow_mode")
    }
}
