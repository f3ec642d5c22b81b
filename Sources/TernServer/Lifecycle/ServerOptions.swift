import NIOCore

/// What a `Server` is told at start: where its config is and Envoy's server options
/// (`--concurrency`, `--drain-time-s`, ...). The `tern` command line fills it; tests make one
/// directly.
public struct ServerOptions: Sendable {
    /// `-c/--config-path`.
    public var configPath: String?
    /// `--config-yaml`, merged over the file (or used alone).
    public var configYAML: String?
    /// `--concurrency`: worker event loops.
    public var concurrency: Int
    /// `--drain-time-s`: how long connections get to drain on reload, removal and shutdown.
    public var drainTime: TimeAmount = .seconds(600)
    /// `--drain-strategy`.
    public var drainStrategy: DrainStrategy = .gradual
    /// `--parent-shutdown-time-s` (accepted; hot restart is not implemented).
    public var parentShutdownTime: TimeAmount = .seconds(900)
    /// `--service-node`, `--service-cluster`, `--service-zone`.
    public var serviceNode: String?
    public var serviceCluster: String?
    public var serviceZone: String?
    /// `--allow-unknown-static-fields`: unknown fields are warnings, not errors.
    public var allowUnknownStaticFields = false
    /// `--admin-address-path`: the bound admin address (`ip:port`) is written here.
    public var adminAddressPath: String?
    /// `--watch`: reload when the config file changes.
    public var watch = false
    /// How often `--watch` looks at the file.
    public var watchInterval: TimeAmount = .seconds(1)
    /// `--file-flush-interval-msec`: access-log file flush period.
    public var fileFlushInterval: TimeAmount = .seconds(10)
    /// The command line as `/server_info` shows it (`command_line_options`), proto3 JSON names.
    public var commandLineOptions: [String: String] = [:]

    public init(configPath: String? = nil, configYAML: String? = nil, concurrency: Int = System.coreCount) {
        self.configPath = configPath
        self.configYAML = configYAML
        self.concurrency = max(1, concurrency)
    }
}
