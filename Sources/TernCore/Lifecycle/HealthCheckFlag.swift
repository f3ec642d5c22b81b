import Synchronization

/// Envoy's "health check failed" switch, flipped by `/healthcheck/fail` and `/healthcheck/ok`.
/// Process-wide and lock-free: while it is set the server reports `DRAINING`, `/ready` answers
/// 503 and, as Envoy's drain manager does, HTTP/1.1 responses carry `connection: close`.
public final class HealthCheckFlag: Sendable {
    // Stored inline and read inline: every HTTP/1.1 response asks, and as a call (with a boxed
    // atomic) each asking cost several retains and releases.
    @usableFromInline let failed = Atomic<Bool>(false)

    public init() {}

    /// Whether health checks should fail now.
    @inlinable
    public var isFailed: Bool { failed.load(ordering: .relaxed) }

    public func set(failed value: Bool) { failed.store(value, ordering: .relaxed) }
}
