import Atomics

/// Envoy's "health check failed" switch, flipped by `/healthcheck/fail` and `/healthcheck/ok`.
/// Process-wide and lock-free: the HTTP health-check filter reads it on every request; while it is
/// set the server reports `DRAINING` and `/ready` answers 503.
public final class HealthCheckFlag: Sendable {
    private let failed = ManagedAtomic(false)

    public init() {}

    /// Whether health checks should fail now.
    public var isFailed: Bool { failed.load(ordering: .relaxed) }

    public func set(failed value: Bool) { failed.store(value, ordering: .relaxed) }
}
