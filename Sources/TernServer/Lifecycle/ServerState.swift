/// Envoy's server state, with the numbers its `server.state` gauge reports.
public enum ServerState: Int, Sendable {
    case live = 0
    case draining = 1
    case preInitializing = 2
    case initializing = 3

    /// Envoy's spelling (`LIVE`, `DRAINING`, ...).
    public var name: String {
        switch self {
        case .live: "LIVE"
        case .draining: "DRAINING"
        case .preInitializing: "PRE_INITIALIZING"
        case .initializing: "INITIALIZING"
        }
    }
}
