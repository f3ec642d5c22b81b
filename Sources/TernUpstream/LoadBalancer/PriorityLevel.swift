/// One priority level of a host set as balancers see it: all its hosts, its healthy hosts, its
/// localities (for `locality_weighted_lb_config`) and, for hash policies, the ring or table over
/// the hosts it balances across. Computed once per host-set publication.
public final class PriorityLevel: Sendable {
    /// Envoy's hash-based tables, over `source`.
    enum HashTable: Sendable {
        case ring(RingHashLoadBalancer)
        case maglev(MaglevLoadBalancer)

        func pick(_ hash: UInt64, attempt: Int) -> Int? {
            switch self {
            case .ring(let r): r.pick(hash, attempt: attempt)
            case .maglev(let m): m.pick(hash, attempt: attempt)
            }
        }
    }

    public let priority: Int
    public let all: HostList
    public let healthy: HostList
    /// Whether this level balances over all hosts, ignoring health (Envoy's panic mode).
    public let panic: Bool
    /// Healthy hosts per weighted locality, and each locality's effective weight (locality
    /// weight × its healthy share × overprovisioning factor, capped at the weight). Empty unless
    /// locality weighting is on.
    let localities: [HostList]
    let localityWeights: [Double]
    let hashTable: HashTable?

    /// The list picks come from when no locality is chosen.
    public var source: HostList { panic ? all : healthy }

    init(priority: Int, hosts: [Host], panic: Bool, config: LoadBalancerConfig, cursor: inout Int) {
        self.priority = priority
        self.panic = panic
        all = HostList(hosts, cursor: &cursor)
        healthy = HostList(hosts.filter(\.isHealthy), cursor: &cursor)

        // Localities keep the order of `load_assignment.endpoints`.
        var order: [Int] = []
        var byLocality: [Int: [Host]] = [:]
        for h in hosts {
            if byLocality[h.lb.locality] == nil { order.append(h.lb.locality) }
            byLocality[h.lb.locality, default: []].append(h)
        }
        if config.localityWeighted, !panic {
            var lists: [HostList] = []
            var weights: [Double] = []
            for key in order {
                let members = byLocality[key]!
                let up = members.filter(\.isHealthy)
                let weight = Double(members[0].lb.localityWeight ?? 0)
                let ratio = min(1.0, Double(config.overprovisioningFactor) / 100 * Double(up.count) / Double(members.count))
                lists.append(HostList(up, cursor: &cursor))
                weights.append(up.isEmpty ? 0 : weight * ratio)
            }
            localities = lists
            localityWeights = weights
        } else {
            localities = []
            localityWeights = []
        }

        let source = panic ? all : healthy
        switch config.policy {
        case .ringHash(let minSize, let maxSize):
            let w = PriorityLevel.normalizedWeights(source.hosts, localityWeighted: config.localityWeighted)
            hashTable = .ring(RingHashLoadBalancer(keys: source.hosts.map(\.addressString), weights: w,
                                                   minimumRingSize: minSize, maximumRingSize: maxSize))
        case .maglev(let size):
            let w = PriorityLevel.normalizedWeights(source.hosts, localityWeighted: config.localityWeighted)
            hashTable = .maglev(MaglevLoadBalancer(keys: source.hosts.map(\.addressString), weights: w, tableSize: size))
        default:
            hashTable = nil
        }
    }

    /// Host weights normalized to sum to 1, as Envoy feeds its hash tables. With locality
    /// weighting a host's share is its share of its locality times the locality's share; hosts of
    /// localities without a weight get none.
    static func normalizedWeights(_ hosts: [Host], localityWeighted: Bool) -> [Double] {
        guard !hosts.isEmpty else { return [] }
        guard localityWeighted else {
            let total = Double(hosts.reduce(0) { $0 + max(1, $1.weight) })
            return hosts.map { Double(max(1, $0.weight)) / total }
        }
        var localityHostWeight: [Int: Double] = [:]
        var localityWeight: [Int: Double] = [:]
        for h in hosts {
            localityHostWeight[h.lb.locality, default: 0] += Double(max(1, h.weight))
            localityWeight[h.lb.locality] = Double(h.lb.localityWeight ?? 0)
        }
        let sumLocality = localityWeight.values.reduce(0, +)
        guard sumLocality > 0 else { return hosts.map { _ in 0 } }
        return hosts.map { h in
            Double(max(1, h.weight)) / localityHostWeight[h.lb.locality]! * (localityWeight[h.lb.locality]! / sumLocality)
        }
    }

    /// A locality index drawn by effective weight; nil when no locality has weight.
    func chooseLocality(_ random: inout LBRandom) -> Int? {
        let total = localityWeights.reduce(0, +)
        guard total > 0 else { return nil }
        var point = random.nextUnit() * total
        for (i, w) in localityWeights.enumerated() where w > 0 {
            if point < w { return i }
            point -= w
        }
        return localityWeights.lastIndex { $0 > 0 }
    }
}
