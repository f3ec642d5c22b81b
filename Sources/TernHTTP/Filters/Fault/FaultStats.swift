import Synchronization
import TernCore

/// Envoy's fault filter stats under `http.<stat_prefix>.fault.`: `aborts_injected`,
/// `delays_injected`, `faults_overflow`, `response_rl_injected`, the `active_faults` gauge, and
/// per downstream cluster (`x-envoy-downstream-service-cluster`)
/// `fault.<cluster>.aborts_injected` / `delays_injected`.
///
/// Envoy makes a stat for every downstream cluster name a client sends. Tern keeps at most
/// `maxDownstreamClusters` such names per filter config, so a client cannot grow the stats store
/// without bound; requests naming further clusters count only in the totals.
final class FaultStats: @unchecked Sendable {
    static let maxDownstreamClusters = 100

    let abortsInjected: Counter
    let delaysInjected: Counter
    let faultsOverflow: Counter
    let responseRLInjected: Counter
    let activeFaults: Gauge
    private let scope: StatScope

    /// The per-cluster counters made so far (bounded), shared by the workers; taken only the
    /// first time a worker sees a name.
    private let known = Mutex<[String: DownstreamClusterCounters]>([:])
    /// One cache per worker, each touched only by its own event loop (hence `@unchecked Sendable`).
    private let perWorker: [WorkerCache]

    init(root: StatScope, statPrefix: String) {
        let s = root.scope("http.", tag: "envoy_http_conn_manager_prefix", value: statPrefix).scope("fault.")
        scope = s
        abortsInjected = s.counter("aborts_injected")
        delaysInjected = s.counter("delays_injected")
        faultsOverflow = s.counter("faults_overflow")
        responseRLInjected = s.counter("response_rl_injected")
        activeFaults = s.gauge("active_faults")
        perWorker = (0..<root.store.workers).map { _ in WorkerCache() }
    }

    /// The counters for downstream cluster `name` on worker `worker`, or nil past the bound.
    func downstreamCluster(_ name: String, worker: Int) -> DownstreamClusterCounters? {
        guard worker < perWorker.count else { return lookUp(name) }
        let cache = perWorker[worker]
        if let hit = cache.counters[name] { return hit }
        if cache.refused.contains(name) { return nil }
        guard let made = lookUp(name) else {
            // Remember refusals too (bounded), so a flood of new names does not take the lock each time.
            if cache.refused.count >= 256 { cache.refused.removeAll(keepingCapacity: true) }
            cache.refused.insert(name)
            return nil
        }
        cache.counters[name] = made
        return made
    }

    private func lookUp(_ name: String) -> DownstreamClusterCounters? {
        known.withLock { known in
            if let c = known[name] { return c }
            guard known.count < Self.maxDownstreamClusters else { return nil }
            // Envoy's tag `envoy.fault_downstream_cluster` takes the name out of the extracted stat.
            let s = scope.scope("", tag: "envoy_fault_downstream_cluster", value: name)
            let c = DownstreamClusterCounters(abortsInjected: s.counter("aborts_injected"),
                                              delaysInjected: s.counter("delays_injected"))
            known[name] = c
            return c
        }
    }

    private final class WorkerCache {
        var counters: [String: DownstreamClusterCounters] = [:]
        var refused: Set<String> = []
    }
}

/// `http.<stat_prefix>.fault.<downstream cluster>.{aborts,delays}_injected`.
struct DownstreamClusterCounters: Sendable {
    let abortsInjected: Counter
    let delaysInjected: Counter
}
