import NIOCore

/// Envoy's `--drain-strategy`: how the drain signal is spread over the drain time.
public enum DrainStrategy: String, Sendable, CaseIterable {
    /// Connections learn of the drain at random moments spread over the drain time, so clients
    /// reconnect gradually (Envoy's default).
    case gradual
    /// Every connection learns of the drain at once (what pilot-agent passes).
    case immediate

    /// When, from now, one connection should be told to drain.
    func delay(within window: TimeAmount) -> TimeAmount {
        switch self {
        case .immediate: return .zero
        case .gradual:
            guard window.nanoseconds > 0 else { return .zero }
            return .nanoseconds(Int64.random(in: 0..<window.nanoseconds))
        }
    }
}
