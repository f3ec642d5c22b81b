import ArgumentParser
import NIOCore
import TernServer

/// Envoy's command-line options, spelled as Envoy spells them, so the `tern` binary can stand
/// where `envoy` stands. Options marked "no effect yet" are accepted (pilot-agent passes several
/// of them) and ignored; docs/cli.md lists them.
struct EnvoyOptions: ParsableArguments {
    /// Envoy's `--mode`.
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case serve, validate
        case initOnly = "init_only"
    }

    /// Envoy's `--local-address-ip-version`.
    enum IPVersion: String, ExpressibleByArgument, CaseIterable {
        case v4, v6
    }

    @Option(name: [.customShort("c"), .customLong("config-path")], help: "Bootstrap file (YAML or JSON).")
    var configPath: String?

    @Option(name: .customLong("config-yaml"), help: "Bootstrap YAML, merged over --config-path (or used alone).")
    var configYAML: String?

    @Option(help: "Worker threads (default: number of cores).")
    var concurrency: Int?

    @Option(name: [.customShort("l"), .customLong("log-level")],
            help: "Log level: trace, debug, info, warning, error, critical, off.")
    var logLevel: String = "info"

    @Option(name: .customLong("component-log-level"), help: "Per-component levels, e.g. upstream:debug,http:trace.")
    var componentLogLevel: String?

    @Option(name: .customLong("log-path"), help: "Write logs to this file instead of stderr.")
    var logPath: String?

    @Option(name: .customLong("log-format"), help: "Log line format (accepted; no effect yet).")
    var logFormat: String?

    @Flag(name: .customLong("log-format-escaped"), help: "Escape control characters in logs (accepted; no effect yet).")
    var logFormatEscaped = false

    @Option(name: .customLong("drain-time-s"), help: "Seconds connections get to drain (default 600).")
    var drainTimeSeconds: Int = 600

    @Option(name: .customLong("parent-shutdown-time-s"), help: "Hot-restart parent shutdown time (accepted; no effect yet).")
    var parentShutdownTimeSeconds: Int = 900

    @Option(name: .customLong("drain-strategy"), help: "gradual or immediate (default gradual).")
    var drainStrategy: DrainStrategy = .gradual

    @Option(name: .customLong("service-node"), help: "Overrides node.id.")
    var serviceNode: String?

    @Option(name: .customLong("service-cluster"), help: "Overrides node.cluster.")
    var serviceCluster: String?

    @Option(name: .customLong("service-zone"), help: "Overrides node.locality.zone.")
    var serviceZone: String?

    @Option(help: "serve, validate or init_only.")
    var mode: Mode = .serve

    @Flag(name: .customLong("disable-hot-restart"), help: "Accepted; hot restart is not implemented yet.")
    var disableHotRestart = false

    @Option(name: .customLong("base-id"), help: "Hot-restart shared memory id (accepted; no effect yet).")
    var baseID: Int?

    @Flag(name: .customLong("use-dynamic-base-id"), help: "Accepted; no effect yet.")
    var useDynamicBaseID = false

    @Option(name: .customLong("restart-epoch"), help: "Hot-restart epoch (accepted; no effect yet).")
    var restartEpoch: Int = 0

    @Flag(name: .customLong("allow-unknown-static-fields"), help: "Unknown bootstrap fields are warnings, not errors.")
    var allowUnknownStaticFields = false

    @Flag(name: .customLong("reject-unknown-dynamic-fields"), help: "Accepted; no xDS yet, so no effect.")
    var rejectUnknownDynamicFields = false

    @Flag(name: .customLong("ignore-unknown-dynamic-fields"), help: "Accepted; no xDS yet, so no effect.")
    var ignoreUnknownDynamicFields = false

    @Option(name: .customLong("local-address-ip-version"), help: "v4 or v6 (accepted; no effect yet).")
    var localAddressIPVersion: IPVersion = .v4

    @Option(name: .customLong("file-flush-interval-msec"), help: "Access-log flush interval in ms (default 10000).")
    var fileFlushIntervalMsec: Int = 10_000

    @Option(name: .customLong("admin-address-path"), help: "Write the bound admin address (ip:port) to this file.")
    var adminAddressPath: String?

    @Flag(name: .customLong("enable-core-dump"), help: "Raise the core-file size limit so crashes dump core.")
    var enableCoreDump = false

    @Flag(name: .customLong("skip-deprecated-logs"), help: "Accepted; no effect yet.")
    var skipDeprecatedLogs = false

    @Flag(name: .customLong("watch"), help: "Tern: reload when the config file changes (as on SIGHUP).")
    var watch = false

    @Flag(name: .customLong("version"), help: "Print the version and exit.")
    var version = false

    func validate() throws {
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if drainTimeSeconds < 0 { throw ValidationError("--drain-time-s must not be negative") }
        if fileFlushIntervalMsec < 1 { throw ValidationError("--file-flush-interval-msec must be positive") }
        if LoggingSetup.level(logLevel) == nil { throw ValidationError("unknown --log-level '\(logLevel)'") }
        if let components = componentLogLevel { _ = try LoggingSetup.components(components) }
    }

    /// The server's options from these flags.
    var serverOptions: ServerOptions {
        var o = ServerOptions(configPath: configPath, configYAML: configYAML,
                              concurrency: concurrency ?? System.coreCount)
        o.drainTime = .seconds(Int64(drainTimeSeconds))
        o.drainStrategy = drainStrategy
        o.parentShutdownTime = .seconds(Int64(parentShutdownTimeSeconds))
        o.serviceNode = serviceNode
        o.serviceCluster = serviceCluster
        o.serviceZone = serviceZone
        o.allowUnknownStaticFields = allowUnknownStaticFields
        o.adminAddressPath = adminAddressPath
        o.watch = watch
        o.fileFlushInterval = .milliseconds(Int64(fileFlushIntervalMsec))
        o.commandLineOptions = [
            "mode": mode.rawValue, "log_level": logLevel, "local_address_ip_version": localAddressIPVersion.rawValue,
            "restart_epoch": String(restartEpoch), "service_node": serviceNode ?? "",
            "service_cluster": serviceCluster ?? "", "service_zone": serviceZone ?? "",
        ]
        return o
    }
}

extension DrainStrategy: ExpressibleByArgument {}
