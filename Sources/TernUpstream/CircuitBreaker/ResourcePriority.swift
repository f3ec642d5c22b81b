/// Envoy's `RoutingPriority` as the router and pools use it: which circuit breakers a request
/// counts against (`RouteAction.priority`).
public enum ResourcePriority: Int, Sendable, CaseIterable {
    case `default` = 0
    case high = 1

    /// The `<priority>` in `circuit_breakers.<priority>.*` stats.
    public var statName: String {
        switch self {
        case .default: "default"
        case .high: "high"
        }
    }
}

/// One priority's `CircuitBreakers.Thresholds`, compiled, with Envoy's defaults.
public struct CircuitBreakerThresholds: Sendable, Equatable {
    /// `retry_budget`: concurrent retries as a share of active plus pending requests.
    public struct RetryBudget: Sendable, Equatable {
        /// `budget_percent` (20% by default).
        public var percent: Double
        /// `min_retry_concurrency` (3 by default).
        public var minRetryConcurrency: Int

        public init(percent: Double = 20, minRetryConcurrency: Int = 3) {
            self.percent = percent
            self.minRetryConcurrency = minRetryConcurrency
        }
    }

    public var maxConnections = 1024
    public var maxPendingRequests = 1024
    public var maxRequests = 1024
    public var maxRetries = 3
    public var trackRemaining = false
    /// When set, it replaces `max_retries` (as in Envoy).
    public var retryBudget: RetryBudget?

    public init() {}
}
