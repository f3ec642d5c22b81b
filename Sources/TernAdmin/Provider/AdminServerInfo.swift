/// The content of Envoy's `envoy.admin.v3.ServerInfo`, served at `/server_info` and used by `/ready`.
public struct AdminServerInfo: Sendable {
    /// Build version string (Envoy's `version`, e.g. `<sha>/1.0.0/Clean/RELEASE/BoringSSL`).
    public var version: String
    /// Lifecycle state; only `LIVE` makes `/ready` answer 200.
    public var state: AdminServerState
    /// Seconds since this process started.
    public var uptimeCurrentEpoch: Int64
    /// Seconds since the first process of the hot-restart chain started.
    public var uptimeAllEpochs: Int64
    /// Envoy's hot restart compatibility version (`disabled` when hot restart is off).
    public var hotRestartVersion: String
    /// `node.id` from the bootstrap or `--service-node`.
    public var nodeID: String
    /// `node.cluster` from the bootstrap or `--service-cluster`.
    public var nodeCluster: String
    /// `envoy.admin.v3.CommandLineOptions` in proto3 JSON field names (`concurrency`,
    /// `log_level`, `drain_time` as `"600s"`, ...). Printed sorted by key.
    public var commandLineOptions: [String: AdminJSON]

    public init(version: String, state: AdminServerState, uptimeCurrentEpoch: Int64, uptimeAllEpochs: Int64,
                hotRestartVersion: String = "disabled", nodeID: String = "", nodeCluster: String = "",
                commandLineOptions: [String: AdminJSON] = [:]) {
        self.version = version
        self.state = state
        self.uptimeCurrentEpoch = uptimeCurrentEpoch
        self.uptimeAllEpochs = uptimeAllEpochs
        self.hotRestartVersion = hotRestartVersion
        self.nodeID = nodeID
        self.nodeCluster = nodeCluster
        self.commandLineOptions = commandLineOptions
    }
}

/// Envoy's `ServerInfo.State`, spelled as Envoy prints it.
public enum AdminServerState: String, Sendable, CaseIterable {
    /// Serving; initialization done and health checks not failed.
    case live = "LIVE"
    /// Health checks failed (`/healthcheck/fail`) or the server is draining.
    case draining = "DRAINING"
    /// Before the init manager started (before the first config is loaded).
    case preInitializing = "PRE_INITIALIZING"
    /// Waiting for initial xDS resources (warming).
    case initializing = "INITIALIZING"
}
