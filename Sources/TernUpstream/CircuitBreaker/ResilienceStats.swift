import TernCore

/// Envoy's `cluster.<name>.*` counters for circuit-breaker overflows and retries.
public final class ResilienceStats: Sendable {
    public let upstreamCxOverflow: Counter
    public let upstreamRqPendingOverflow: Counter
    public let upstreamRqRetry: Counter
    public let upstreamRqRetrySuccess: Counter
    public let upstreamRqRetryOverflow: Counter
    public let upstreamRqRetryLimitExceeded: Counter
    public let upstreamRqRetryBackoffExponential: Counter
    public let upstreamRqPerTryTimeout: Counter
    public let retryOrShadowAbandoned: Counter

    /// `scope` is `cluster.<name>.`.
    init(scope s: StatScope) {
        upstreamCxOverflow = s.counter("upstream_cx_overflow")
        upstreamRqPendingOverflow = s.counter("upstream_rq_pending_overflow")
        upstreamRqRetry = s.counter("upstream_rq_retry")
        upstreamRqRetrySuccess = s.counter("upstream_rq_retry_success")
        upstreamRqRetryOverflow = s.counter("upstream_rq_retry_overflow")
        upstreamRqRetryLimitExceeded = s.counter("upstream_rq_retry_limit_exceeded")
        upstreamRqRetryBackoffExponential = s.counter("upstream_rq_retry_backoff_exponential")
        upstreamRqPerTryTimeout = s.counter("upstream_rq_per_try_timeout")
        retryOrShadowAbandoned = s.counter("retry_or_shadow_abandoned")
    }
}
