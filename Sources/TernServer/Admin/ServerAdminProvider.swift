import Foundation
import Logging
import TernAdmin
import TernCore
import TernUpstream

/// The admin API's view of a running `Server` (TernAdmin's `AdminProvider`).
struct ServerAdminProvider: AdminProvider {
    let server: Server

    func serverInfo() async -> AdminServerInfo {
        let uptime = Int64(Date().timeIntervalSince(server.startedAt))
        let node = server.snapshot?.node ?? NodeInfo()
        var options: [String: AdminJSON] = [
            "concurrency": .int(Int64(server.options.concurrency)),
            "drain_time": .string("\(server.options.drainTime.nanoseconds / 1_000_000_000)s"),
            "drain_strategy": .string(server.options.drainStrategy == .gradual ? "Gradual" : "Immediate"),
            "config_path": .string(server.options.configPath ?? ""),
        ]
        for (key, value) in server.options.commandLineOptions { options[key] = .string(value) }
        return AdminServerInfo(version: TernVersion.envoyStyle, state: Self.adminState(server.state),
                               uptimeCurrentEpoch: uptime, uptimeAllEpochs: uptime, hotRestartVersion: "disabled",
                               nodeID: node.id, nodeCluster: node.cluster, commandLineOptions: options)
    }

    static func adminState(_ state: ServerState) -> AdminServerState {
        switch state {
        case .live: .live
        case .draining: .draining
        case .preInitializing: .preInitializing
        case .initializing: .initializing
        }
    }

    func clusters() async -> [AdminClusterStatus] {
        guard let manager = await server.clusterManager else { return [] }
        return manager.current().map { entry in
            let outlier = manager.health(of: entry.config.name)?.detector?.currentStatus
            return AdminClusterStatus(name: entry.config.name, observabilityName: entry.config.statName,
                                      outlier: outlier.map(Self.outlierFigures), hosts: entry.hosts.hosts.map { host in
                let s = host.stats
                let rates = outlier?.hostSuccessRates[ObjectIdentifier(host)] ?? (-1, -1)
                return AdminClusterStatus.Host(
                    address: host.addressString, hostname: host.hostname, weight: UInt32(clamping: host.weight),
                    priority: UInt32(clamping: host.priority), healthFlags: host.healthFlags.envoyDescription,
                    successRate: rates.0, localOriginSuccessRate: rates.1,
                    cxTotal: s.cxTotal.load(ordering: .relaxed), cxActive: UInt64(clamping: s.cxActive.load(ordering: .relaxed)),
                    cxConnectFail: s.cxConnectFail.load(ordering: .relaxed), rqTotal: s.rqTotal.load(ordering: .relaxed),
                    rqActive: UInt64(clamping: s.rqActive.load(ordering: .relaxed)), rqSuccess: s.rqSuccess.load(ordering: .relaxed),
                    rqError: s.rqError.load(ordering: .relaxed), rqTimeout: s.rqTimeout.load(ordering: .relaxed))
            })
        }
    }

    private static func outlierFigures(_ o: OutlierDetector.Status) -> AdminClusterStatus.Outlier {
        AdminClusterStatus.Outlier(successRateAverage: o.successRateAverage,
                                   successRateEjectionThreshold: o.successRateEjectionThreshold,
                                   localOriginSuccessRateAverage: o.localOriginSuccessRateAverage,
                                   localOriginSuccessRateEjectionThreshold: o.localOriginSuccessRateEjectionThreshold)
    }

    func listeners() async -> [AdminListenerStatus] {
        guard let manager = server.listenerManagerForReading else { return [] }
        return manager.listenerConfigs.map { config in
            AdminListenerStatus(name: config.name,
                                localAddresses: manager.boundAddresses(of: config.name).map(AddressCompiler.text))
        }
    }

    func configDump(_ request: AdminConfigDumpRequest) async throws -> String {
        guard let snapshot = server.snapshot else { throw AdminError(status: 503, message: "no configuration yet\n") }
        return try ConfigDumpBuilder(snapshot: snapshot, lastUpdated: server.snapshotUpdatedAt).render(request)
    }

    func setHealthCheckFailed(_ failed: Bool) async {
        await server.setHealthCheckFailed(failed)
    }

    func drainListeners(_ request: AdminDrainRequest) async {
        await server.drainListeners(graceful: request.graceful, inboundOnly: request.inboundOnly, skipExit: request.skipExit)
    }

    func quit() async {
        await server.shutdown(graceful: false)
    }

    // MARK: - /logging, through TernCore's run-time level registry

    func logLevels() async -> [AdminLogger] {
        TernLogging.levels.all().map { AdminLogger(name: $0.name, level: Self.admin($0.level)) }
    }

    func setAllLogLevels(_ level: AdminLogLevel) async {
        TernLogging.levels.setAll(Self.swiftLog(level))
    }

    func setLogLevels(_ levels: [String: AdminLogLevel]) async {
        for (name, level) in levels { TernLogging.levels.set(name, Self.swiftLog(level)) }
    }

    static func admin(_ level: Logger.Level) -> AdminLogLevel {
        switch level {
        case .trace: .trace
        case .debug: .debug
        case .info, .notice: .info
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }

    static func swiftLog(_ level: AdminLogLevel) -> Logger.Level {
        switch level {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        case .critical, .off: .critical
        }
    }
}
