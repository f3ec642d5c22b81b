import Atomics

/// Envoy's "health check failed" switch, flipped by `/healthcheck/fail` and `/healthcheck/ok`.
/// Process-wide and lock-free: while it is set the server reports `DRAINING`, `/ready` answers
/// 503 and, as Envoy's drain manager does, HTTP/1.1 responses carry `connection: close`.
public final class HealthCheckFlag: Sendable {
    private let failed = ManagedAtomic(false)

    public init() {}

    /// Whether health checks should fail now.
    public var isFailed: Bool { failed.load(ordering: .relaxed) }

    public func set(failed value: Bool) { failed.store(value, ordering: .relaxed) }
}
