/// How a check result moved a host's active health state (Envoy's `HealthTransition`).
public enum HealthTransition: Sendable, Equatable {
    /// The host stayed as it was.
    case unchanged
    /// The host flipped between healthy and unhealthy.
    case changed
    /// The result points to a flip, but the threshold is not reached yet.
    case changePending
}

/// Why a check failed (Envoy's `HealthCheckFailureType`).
public enum HealthCheckFailureType: Sendable, Equatable {
    /// The host answered, and the answer was wrong (unexpected status, missing bytes).
    case active
    /// No usable answer: connect failure, timeout, connection closed mid-check.
    case network
}

/// The per-host threshold logic of an active health checker, as Envoy's
/// `ActiveHealthCheckSession::handleSuccess/handleFailure`: a pure value over the host's flags.
///
/// - An active failure (not retriable) marks the host unhealthy at once; network and retriable
///   failures only after `unhealthy_threshold` in a row.
/// - A host becomes healthy after `healthy_threshold` passes in a row, except that the very first
///   check of a host marks it healthy at once (faster start-up, as Envoy).
public struct HealthCheckSessionStateMachine: Sendable {
    public let healthyThreshold: Int
    public let unhealthyThreshold: Int
    public private(set) var consecutiveHealthy = 0
    public private(set) var consecutiveUnhealthy = 0
    public private(set) var firstCheck = true

    public init(healthyThreshold: Int, unhealthyThreshold: Int) {
        self.healthyThreshold = healthyThreshold
        self.unhealthyThreshold = unhealthyThreshold
    }

    /// A passed check; `flags` are the host's current flags and get the new ones.
    public mutating func passed(degraded: Bool, flags: inout HostHealthFlags) -> HealthTransition {
        consecutiveUnhealthy = 0
        var transition = HealthTransition.unchanged
        if flags.contains(.failedActiveHC) {
            consecutiveHealthy += 1
            if firstCheck || consecutiveHealthy >= healthyThreshold {
                flags.remove(.failedActiveHC)
                transition = .changed
            } else {
                transition = .changePending
            }
        }
        transition = clearPending(transition, flags: &flags)
        if degraded { flags.insert(.degradedActiveHC) } else { flags.remove(.degradedActiveHC) }
        firstCheck = false
        return transition
    }

    /// A failed check.
    public mutating func failed(_ type: HealthCheckFailureType, retriable: Bool, flags: inout HostHealthFlags) -> HealthTransition {
        consecutiveHealthy = 0
        var transition = HealthTransition.unchanged
        if !flags.contains(.failedActiveHC) {
            consecutiveUnhealthy += 1
            if (type == .active && !retriable) || consecutiveUnhealthy >= unhealthyThreshold {
                flags.insert(.failedActiveHC)
                transition = .changed
            } else {
                transition = .changePending
            }
        }
        transition = clearPending(transition, flags: &flags)
        firstCheck = false
        return transition
    }

    /// Any first result ends "pending", which itself is a change for the load balancers.
    private func clearPending(_ t: HealthTransition, flags: inout HostHealthFlags) -> HealthTransition {
        guard flags.contains(.pendingActiveHC) else { return t }
        flags.remove(.pendingActiveHC)
        return t == .unchanged ? .changed : t
    }
}
