/// A cluster's load balancing, compiled from `lb_policy`, its `lb_config`, `common_lb_config`,
/// `lb_subset_config` and `load_assignment.policy`. Immutable and shared by every worker.
public struct LoadBalancerConfig: Sendable {
    /// Envoy's `lb_policy` with its settings.
    public enum Policy: Sendable, Equatable {
        case roundRobin
        /// `least_request_lb_config.choice_count` (2 by default).
        case leastRequest(choiceCount: Int)
        case random
        /// `ring_hash_lb_config` (XX_HASH only).
        case ringHash(minimumRingSize: Int, maximumRingSize: Int)
        /// `maglev_lb_config.table_size` (a prime).
        case maglev(tableSize: Int)

        /// Whether the policy hashes the request (`hash_policy` applies).
        public var usesHash: Bool {
            switch self {
            case .ringHash, .maglev: true
            default: false
            }
        }
    }

    public let policy: Policy
    /// `common_lb_config.healthy_panic_threshold` in percent (50 by default; 0 disables panic).
    public let healthyPanicThreshold: Double
    /// `load_assignment.policy.overprovisioning_factor` in percent (140 by default).
    public let overprovisioningFactor: Int
    /// `common_lb_config.locality_weighted_lb_config` is set: pick a locality by weight first.
    public let localityWeighted: Bool
    /// `lb_subset_config`, nil when absent or without selectors.
    public let subset: SubsetConfig?
    /// `cluster.<name>.lb_*` stats; nil in unit tests that do not count.
    public let stats: LoadBalancerStats?

    public init(policy: Policy = .roundRobin, healthyPanicThreshold: Double = 50, overprovisioningFactor: Int = 140,
                localityWeighted: Bool = false, subset: SubsetConfig? = nil, stats: LoadBalancerStats? = nil) {
        self.policy = policy
        self.healthyPanicThreshold = healthyPanicThreshold
        self.overprovisioningFactor = overprovisioningFactor
        self.localityWeighted = localityWeighted
        self.subset = subset
        self.stats = stats
    }

    /// Envoy's defaults: ROUND_ROBIN, 50% panic threshold, overprovisioning factor 140.
    public static let `default` = LoadBalancerConfig()
}

/// `lb_subset_config`: which metadata keys form subsets and what to do when none matches.
public struct SubsetConfig: Sendable {
    /// `fallback_policy`.
    public enum FallbackPolicy: Sendable, Equatable {
        case noFallback
        case anyEndpoint
        /// Hosts matching `default_subset` (all hosts when it is empty).
        case defaultSubset(LBMetadata)
    }

    /// `subset_selectors[*].keys`, each sorted.
    public let selectors: [[String]]
    public let fallback: FallbackPolicy

    public init(selectors: [[String]], fallback: FallbackPolicy) {
        self.selectors = selectors.map { $0.sorted() }
        self.fallback = fallback
    }
}
