import TernCore

/// The server-wide stats TernServer owns: Envoy's `server.*` and `cluster_manager.*` gauges and
/// counters, and Tern's own `tern.config_reload.*` (Envoy has no file reload to count).
final class ServerStats: Sendable {
    let state: Gauge
    let live: Gauge
    let concurrency: Gauge
    let uptime: Gauge
    /// `server.memory_allocated`, `server.memory_heap_size`, `server.memory_physical_size`:
    /// the allocator's totals (`ProcessMemory`), refreshed with `uptime`.
    let memoryAllocated: Gauge
    let memoryHeapSize: Gauge
    let memoryPhysicalSize: Gauge
    let activeClusters: Gauge
    let clusterAdded: Counter
    let clusterModified: Counter
    let clusterRemoved: Counter
    /// `tern.config_reload.success`: reloads (SIGHUP or `--watch`) that were applied.
    let reloadSuccess: Counter
    /// `tern.config_reload.failure`: reloads refused (load or compile error) or applied only in
    /// part (a listener that could not be bound).
    let reloadFailure: Counter

    init(store: StatsStore) {
        let server = store.root.scope("server.")
        state = server.gauge("state")
        live = server.gauge("live")
        concurrency = server.gauge("concurrency")
        uptime = server.gauge("uptime")
        memoryAllocated = server.gauge("memory_allocated")
        memoryHeapSize = server.gauge("memory_heap_size")
        memoryPhysicalSize = server.gauge("memory_physical_size")
        let cm = store.root.scope("cluster_manager.")
        activeClusters = cm.gauge("active_clusters")
        clusterAdded = cm.counter("cluster_added")
        clusterModified = cm.counter("cluster_modified")
        clusterRemoved = cm.counter("cluster_removed")
        let reload = store.root.scope("tern.config_reload.")
        reloadSuccess = reload.counter("success")
        reloadFailure = reload.counter("failure")
    }

    func update(_ memory: ProcessMemory) {
        memoryAllocated.set(Int64(clamping: memory.allocated))
        memoryHeapSize.set(Int64(clamping: memory.heapSize))
        memoryPhysicalSize.set(Int64(clamping: memory.heapSize))
    }

    func set(_ s: ServerState) {
        state.set(Int64(s.rawValue))
        live.set(s == .live ? 1 : 0)
    }
}
