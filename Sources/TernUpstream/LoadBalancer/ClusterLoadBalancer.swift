/// One worker's load balancer for one cluster: Envoy's pick sequence over a published `HostSet`.
///
/// 1. Subsets: the request's `metadata_match` selects a subset, else the fallback policy applies.
/// 2. Priority: a hash (the request's for hash policies, else random) picks a level by the
///    priority load split.
/// 3. Hosts: the level's healthy hosts, all of them in panic (`lb_healthy_panic`), or one
///    locality's drawn by weight under `locality_weighted_lb_config`.
/// 4. Policy: round robin, least request, random, ring hash or Maglev over that list, avoiding
///    the request's previous hosts while others exist.
///
/// Plain mutable state (cursors, random source) confined to the worker's event loop: no locks.
public struct ClusterLoadBalancer: Sendable {
    private var random: LBRandom
    private var roundRobin: RoundRobinLoadBalancer

    /// `seed` varies per worker (round-robin start) and fixes the random source in tests.
    public init(seed: Int = 0, randomSeed: UInt64? = nil) {
        random = randomSeed.map { LBRandom(seed: $0) } ?? LBRandom()
        roundRobin = RoundRobinLoadBalancer(seed: seed)
    }

    /// Call when the worker receives a new host set: cursors belong to a set's lists.
    public mutating func reset(for set: HostSet) {
        roundRobin.reset(for: set)
    }

    /// A host for the request described by `context`, or nil when there is none to use (no
    /// hosts, no healthy host with panic disabled, or no subset match with NO_FALLBACK).
    /// `worker` is the calling worker's index, for stats.
    public mutating func choose(from set: HostSet, context: LoadBalancerContext = .none, worker: Int = 0) -> Host? {
        let stats = set.config.stats
        var prioritySet = set.prioritySet
        if let subsets = set.subsets {
            if let criteria = context.metadataMatch, let chosen = subsets.find(criteria) {
                stats?.lbSubsetsSelected.inc(worker: worker)
                prioritySet = chosen
            } else {
                switch subsets.fallback {
                case .none: return nil
                case .anyEndpoint: break
                case .subset(let fallback): prioritySet = fallback
                }
                stats?.lbSubsetsFallback.inc(worker: worker)
            }
        }
        guard !prioritySet.isEmpty else { return nil }

        let policy = set.config.policy
        // Hash policies place the request by its own hash (random without one, as Envoy does);
        // the same value picks the priority level.
        let hash = policy.usesHash ? (context.hashKey ?? random.next()) : random.next()
        let level = prioritySet.levels[prioritySet.priorityLoad.choose(hash)]
        if level.panic { stats?.lbHealthyPanic.inc(worker: worker) }

        var list = level.source
        // Hash tables already fold locality weights into each host's share of the table.
        if !policy.usesHash, !level.localities.isEmpty, let locality = level.chooseLocality(&random) {
            list = level.localities[locality]
        }
        let previous = context.previousHosts
        var host = pick(policy, level: level, list: list, hash: hash, attempt: 0)
        guard let first = host, !previous.isEmpty else { return host }
        if previous.contains(where: { $0 === first }) {
            // Retries: pick again a few times (rings walk on, Maglev perturbs the hash), then
            // take any host not tried yet rather than repeat one.
            let tries = min(list.totalWeight + 1, 32)
            var attempt = 1
            while attempt < tries, let h = host, previous.contains(where: { $0 === h }) {
                host = pick(policy, level: level, list: list, hash: hash, attempt: attempt)
                attempt += 1
            }
            if let h = host, previous.contains(where: { $0 === h }) {
                let pool = policy.usesHash ? level.source : list
                host = pool.hosts.first { c in !previous.contains { $0 === c } } ?? h
            }
        }
        return host
    }

    private mutating func pick(_ policy: LoadBalancerConfig.Policy, level: PriorityLevel, list: HostList,
                               hash: UInt64, attempt: Int) -> Host? {
        switch policy {
        case .roundRobin:
            return roundRobin.pick(from: list)
        case .leastRequest(let choices):
            return LeastRequestLoadBalancer.pick(from: list, choiceCount: choices, random: &random)
        case .random:
            return RandomLoadBalancer.pick(from: list, random: &random)
        case .ringHash, .maglev:
            let source = level.source
            guard let table = level.hashTable, let index = table.pick(hash, attempt: attempt),
                  index < source.count else { return nil }
            return source.hosts[index]
        }
    }
}
