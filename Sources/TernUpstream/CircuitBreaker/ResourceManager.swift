import TernCore

/// A cluster's circuit breakers for one priority (Envoy's `ResourceManagerImpl`): process-wide,
/// shared by every worker's pools and routers. The gauges are Envoy's
/// `cluster.<name>.circuit_breakers.<priority>.{cx,rq_pending,rq,rq_retry}_open` and, with
/// `track_remaining`, `remaining_{cx,pending,rq,retries}`.
public final class ResourceManager: Sendable {
    public let connections: ResourceLimit
    public let pendingRequests: ResourceLimit
    public let requests: ResourceLimit
    public let retries: ResourceLimit
    public let retryBudget: CircuitBreakerThresholds.RetryBudget?

    /// `scope` is `cluster.<name>.circuit_breakers.<priority>.`.
    public init(_ t: CircuitBreakerThresholds, scope: StatScope) {
        func remaining(_ name: String) -> Gauge? { t.trackRemaining ? scope.gauge(name) : nil }
        connections = ResourceLimit(max: t.maxConnections, open: scope.gauge("cx_open"), remaining: remaining("remaining_cx"))
        pendingRequests = ResourceLimit(max: t.maxPendingRequests, open: scope.gauge("rq_pending_open"),
                                        remaining: remaining("remaining_pending"))
        requests = ResourceLimit(max: t.maxRequests, open: scope.gauge("rq_open"), remaining: remaining("remaining_rq"))
        // With a budget the maximum moves with the load, so a remaining count would not mean much.
        retries = ResourceLimit(max: t.maxRetries, open: scope.gauge("rq_retry_open"),
                                remaining: t.retryBudget == nil ? remaining("remaining_retries") : nil)
        retryBudget = t.retryBudget
        // Envoy publishes the pool gauge too; Tern has no max_connection_pools limit, so it stays 0.
        _ = scope.gauge("cx_pool_open")
    }

    /// The current retry limit: `max_retries`, or the budget's share of active and pending
    /// requests (never below `min_retry_concurrency`).
    public var retryLimit: Int {
        guard let b = retryBudget else { return retries.max }
        let active = Double(pendingRequests.current + requests.current)
        return Swift.max(Int(b.percent / 100 * active), b.minRetryConcurrency)
    }

    /// Takes a retry slot if the limit (or budget) allows.
    public func tryAcquireRetry(worker: Int) -> Bool {
        retries.tryAcquire(worker: worker, max: retryLimit)
    }

    public func releaseRetry(worker: Int) {
        retries.release(worker: worker, max: retryLimit)
    }
}
