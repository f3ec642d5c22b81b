/// A set of hosts split into priority levels with Envoy's load split between them: the whole
/// cluster, or one subset of it. Computed once per host-set publication.
public final class PrioritySet: Sendable {
    /// Levels 0 ... highest configured priority (levels without hosts are empty).
    public let levels: [PriorityLevel]
    public let priorityLoad: PriorityLoad
    public let hostCount: Int

    init(hosts: [Host], config: LoadBalancerConfig, cursor: inout Int) {
        hostCount = hosts.count
        let top = hosts.map(\.priority).max() ?? -1
        var byPriority = [[Host]](repeating: [], count: top + 1)
        for h in hosts { byPriority[h.priority].append(h) }
        let load = PriorityLoad(healthy: byPriority.map { $0.count(where: \.isHealthy) }, total: byPriority.map(\.count),
                                overprovisioningFactor: config.overprovisioningFactor,
                                panicThreshold: config.healthyPanicThreshold)
        priorityLoad = load
        var levels: [PriorityLevel] = []
        for (p, members) in byPriority.enumerated() {
            levels.append(PriorityLevel(priority: p, hosts: members, panic: load.panic[p], config: config, cursor: &cursor))
        }
        self.levels = levels
    }

    public var isEmpty: Bool { hostCount == 0 }
}
