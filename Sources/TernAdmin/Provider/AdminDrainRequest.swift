/// Query of `/drain_listeners`.
public struct AdminDrainRequest: Sendable, Equatable {
    /// `?graceful`: run the drain period (drain-close connections) before stopping listeners.
    public var graceful: Bool
    /// `?inboundonly`: only listeners with `traffic_direction: INBOUND`.
    public var inboundOnly: Bool
    /// `?skip_exit` (needs `graceful`): drain but keep listening afterwards.
    public var skipExit: Bool

    public init(graceful: Bool = false, inboundOnly: Bool = false, skipExit: Bool = false) {
        self.graceful = graceful
        self.inboundOnly = inboundOnly
        self.skipExit = skipExit
    }
}
