import Synchronization
import TernAdmin

/// A real `AdminProvider` over fixed data, recording the commands it receives. The only state it
/// changes is what the admin commands change (health-check failure, log levels).
struct TestProvider: AdminProvider {
    /// What the commands did; shared by copies of the provider.
    final class Record: Sendable {
        struct State {
            var healthCheckFailed = false
            var drains: [AdminDrainRequest] = []
            var quits = 0
            var configDumps: [AdminConfigDumpRequest] = []
            var loggers: [AdminLogger] = [
                AdminLogger(name: "admin", level: .info),
                AdminLogger(name: "upstream", level: .info),
                AdminLogger(name: "http", level: .warning),
            ]
        }
        let state = Mutex(State())
        func read<T: Sendable>(_ body: (State) -> T) -> T { state.withLock { body($0) } }
    }

    let record = Record()
    var clusterStatuses: [AdminClusterStatus] = TestProvider.defaultClusters
    var listenerStatuses: [AdminListenerStatus] = [
        AdminListenerStatus(name: "ingress", localAddresses: ["127.0.0.1:10000"]),
        AdminListenerStatus(name: "virtualOutbound", localAddresses: ["0.0.0.0:15001", "[::]:15001"]),
    ]

    static let defaultClusters: [AdminClusterStatus] = [
        AdminClusterStatus(name: "backend", hosts: [
            .init(address: "127.0.0.1:8080", hostname: "backend-0", cxTotal: 3, cxActive: 1, rqTotal: 5,
                  rqSuccess: 4, rqError: 1),
        ]),
    ]

    func serverInfo() async -> AdminServerInfo {
        AdminServerInfo(version: "abc123/0.1.0/Clean/RELEASE/BoringSSL",
                        state: record.read { $0.healthCheckFailed } ? .draining : .live,
                        uptimeCurrentEpoch: 42, uptimeAllEpochs: 42, hotRestartVersion: "disabled",
                        nodeID: "sidecar~10.0.0.1~app.default~default.svc.cluster.local", nodeCluster: "app.default",
                        commandLineOptions: ["concurrency": 2, "log_level": "info", "drain_time": "600s"])
    }

    func clusters() async -> [AdminClusterStatus] { clusterStatuses }
    func listeners() async -> [AdminListenerStatus] { listenerStatuses }

    func configDump(_ request: AdminConfigDumpRequest) async throws -> String {
        record.state.withLock { $0.configDumps.append(request) }
        if let resource = request.resource, resource != "dynamic_active_clusters" {
            throw AdminError(status: 404, message: "The resource \(resource) is not known.\n")
        }
        return "{\n \"configs\": []\n}\n"
    }

    func setHealthCheckFailed(_ failed: Bool) async { record.state.withLock { $0.healthCheckFailed = failed } }
    func drainListeners(_ request: AdminDrainRequest) async { record.state.withLock { $0.drains.append(request) } }
    func quit() async { record.state.withLock { $0.quits += 1 } }

    func logLevels() async -> [AdminLogger] { record.read { $0.loggers } }

    func setAllLogLevels(_ level: AdminLogLevel) async {
        record.state.withLock { s in
            for i in s.loggers.indices { s.loggers[i].level = level }
        }
    }

    func setLogLevels(_ levels: [String: AdminLogLevel]) async {
        record.state.withLock { s in
            for i in s.loggers.indices { if let l = levels[s.loggers[i].name] { s.loggers[i].level = l } }
        }
    }
}
