import TernNetwork

/// The outcome of one reload.
public enum ReloadResult: Sendable, Equatable {
    /// The new config runs; what happened to each listener.
    case applied(ListenerUpdateReport)
    /// The new config was refused (load or compile error, with its field path); the running
    /// config keeps serving.
    case rejected(String)
    /// Another reload was running; it will run once more afterwards and pick this change up.
    case coalesced
    /// The server is not live (starting or stopping).
    case notRunning
}
