import NIOCore
import NIOPosix
import TernCore
import TernUpstream

/// Two workers on a 2-loop group, a 1-loop control group and a `ClusterManager` over them, as the
/// server wires them. Each worker's view is read on its own loop.
struct ClusterManagerHarness: Sendable {
    let store: StatsStore
    let manager: ClusterManager
    let workers: [WorkerHandle]

    /// Runs `body` with a fresh harness and tears it down (timers, loops) afterwards.
    static func with<R: Sendable>(resolver: DNSResolver = DNSResolver(pool: .singleton),
                                  _ body: (ClusterManagerHarness) async throws -> R) async throws -> R {
        let workerGroup = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let controlGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loops = Array(workerGroup.makeIterator())
        let managers = loops.enumerated().map { WorkerClusterManager(worker: $0.offset, eventLoop: $0.element) }
        let manager = ClusterManager(workers: managers, controlLoop: controlGroup.next(),
                                     resolver: resolver)
        let harness = ClusterManagerHarness(store: StatsStore(workers: 2), manager: manager,
                                            workers: managers.map(WorkerHandle.init))
        func tearDown() async {
            manager.shutdown()
            try? await workerGroup.shutdownGracefully()
            try? await controlGroup.shutdownGracefully()
        }
        do {
            let result = try await body(harness)
            await tearDown()
            return result
        } catch {
            await tearDown()
            throw error
        }
    }

    /// A hand-built cluster whose stats live in this harness's store.
    func cluster(_ name: String, discovery: ClusterConfig.Discovery = .staticHosts, endpoints: [EndpointConfig],
                 family: ClusterConfig.DNSLookupFamily = .v4Only, refresh: TimeAmount = .seconds(60),
                 fingerprint: String = "v1") -> ClusterConfig {
        ClusterConfig(
            name: name, statName: name, discovery: discovery, endpoints: endpoints,
            connectTimeout: .seconds(1), dnsRefreshRate: refresh, respectDNSTTL: false, dnsLookupFamily: family,
            maxRequestsPerConnection: nil, idleTimeout: nil, perConnectionBufferLimitBytes: 1 << 20,
            stats: ClusterStats(root: store.root, statName: name), fingerprint: Array(fingerprint.utf8))
    }

    /// Every worker's view of cluster `name`, each read on its own loop.
    func views(_ name: String) async throws -> [WorkerView] {
        var out: [WorkerView] = []
        for worker in workers { out.append(try await worker.view(name)) }
        return out
    }

    /// A counter or gauge value by flat name (nil when the stat was never made).
    func counter(_ flat: String) -> UInt64? { store.all().counters.first { $0.name.flat == flat }?.value }
    func gauge(_ flat: String) -> Int64? { store.all().gauges.first { $0.name.flat == flat }?.value }
}

/// One worker's `WorkerClusterManager`, dereferenced only on its own loop (inside `submit`).
struct WorkerHandle: @unchecked Sendable {
    private let manager: WorkerClusterManager
    let eventLoop: any EventLoop

    init(_ manager: WorkerClusterManager) {
        self.manager = manager
        self.eventLoop = manager.eventLoop
    }

    var worker: Int { manager.worker }

    func view(_ name: String) async throws -> WorkerView {
        try await eventLoop.submit { WorkerView(self.manager.cluster(name)) }.get()
    }

    /// `count` picks from cluster `name` with the worker's load balancer, made on the worker's loop.
    func pick(_ name: String, count: Int, excluding: Host? = nil) async throws -> [Host?] {
        try await eventLoop.submit {
            let cluster = self.manager.cluster(name)
            return (0..<count).map { _ in cluster?.chooseHost(excluding: excluding) }
        }.get()
    }
}

/// What one worker saw of one cluster, captured on its loop. `cluster` is kept only to compare
/// identity (and to keep the object alive so identities are not reused); never used off its loop.
struct WorkerView: @unchecked Sendable {
    let cluster: WorkerCluster?
    let worker: Int?
    let config: ClusterConfig?
    let hosts: [Host]

    init(_ cluster: WorkerCluster?) {
        self.cluster = cluster
        self.worker = cluster?.worker
        self.config = cluster?.config
        self.hosts = cluster?.hostSet.hosts ?? []
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
/// The sleep only paces the polling; the caller asserts on the returned value.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
