/// One admin endpoint: its exact path, whether it changes server state (then POST only, as in
/// Envoy), its help line and parameters, and the handler that answers it.
public struct AdminRoute: Sendable {
    /// Exact path (`/stats/prometheus`); Envoy matches the path before `?` exactly.
    public var path: String
    /// Help text printed by `/help`.
    public var help: String
    /// True for endpoints that change state; any other method than POST gets 405.
    public var mutatesState: Bool
    /// Query parameters listed under the help line.
    public var params: [Param]
    /// Answers one request. Runs as a Swift task, off every event loop.
    public var handle: @Sendable (AdminRequest) async -> AdminResponse

    public init(_ path: String, help: String, mutatesState: Bool = false, params: [Param] = [],
                handle: @escaping @Sendable (AdminRequest) async -> AdminResponse) {
        self.path = path
        self.help = help
        self.mutatesState = mutatesState
        self.params = params
        self.handle = handle
    }

    /// One documented query parameter.
    public struct Param: Sendable {
        public var name: String
        public var help: String
        public init(_ name: String, _ help: String) {
            self.name = name
            self.help = help
        }
    }
}
