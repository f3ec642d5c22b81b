import SwiftProtobuf
import TernConfig
import TernCore
import TernHTTP
import TernUpstream

/// Compiles a cluster's load balancing (`lb_policy`, `lb_config`, `common_lb_config`,
/// `lb_subset_config`, `load_assignment.policy`) into a `LoadBalancerConfig`, with Envoy's
/// defaults and validation.
struct LoadBalancerCompiler {
    let context: CompileContext

    /// Envoy's limit for `minimum_ring_size` and `maximum_ring_size` (8M).
    static let maxRingSize = 8_388_608
    /// Envoy's limit for `maglev_lb_config.table_size`.
    static let maxMaglevTableSize = 5_000_011

    func compile(_ c: Envoy_Config_Cluster_V3_Cluster, statName: String, path: String) throws -> LoadBalancerConfig {
        let policy = try self.policy(c, path: path)
        var panic = 50.0
        var localityWeighted = false
        if c.hasCommonLbConfig {
            let common = c.commonLbConfig
            if common.hasHealthyPanicThreshold {
                let v = common.healthyPanicThreshold.value
                guard v >= 0, v <= 100 else {
                    throw CompileError("\(path).common_lb_config.healthy_panic_threshold.value", "must be between 0 and 100, got \(v)")
                }
                panic = v
            }
            if case .localityWeightedLbConfig? = common.localityConfigSpecifier { localityWeighted = true }
        }
        var factor = 140
        if c.loadAssignment.hasPolicy, c.loadAssignment.policy.hasOverprovisioningFactor {
            factor = Int(c.loadAssignment.policy.overprovisioningFactor.value)
            guard factor > 0 else {
                throw CompileError("\(path).load_assignment.policy.overprovisioning_factor", "must be greater than 0")
            }
        }
        return LoadBalancerConfig(policy: policy, healthyPanicThreshold: panic, overprovisioningFactor: factor,
                                  localityWeighted: localityWeighted, subset: try subset(c, path: path),
                                  stats: LoadBalancerStats(root: context.stats.root, statName: statName))
    }

    private func policy(_ c: Envoy_Config_Cluster_V3_Cluster, path: String) throws -> LoadBalancerConfig.Policy {
        let policy: LoadBalancerConfig.Policy
        switch c.lbPolicy {
        case .roundRobin:
            policy = .roundRobin
        case .leastRequest:
            var choices = 2
            if case .leastRequestLbConfig(let l)? = c.lbConfig, l.hasChoiceCount {
                choices = Int(l.choiceCount.value)
                guard choices >= 2 else {
                    throw CompileError("\(path).least_request_lb_config.choice_count", "must be at least 2, got \(choices)")
                }
            }
            policy = .leastRequest(choiceCount: choices)
        case .random:
            policy = .random
        case .ringHash:
            var minSize = 1024
            var maxSize = Self.maxRingSize
            if case .ringHashLbConfig(let r)? = c.lbConfig {
                let p = "\(path).ring_hash_lb_config"
                if r.hashFunction == .murmurHash2 {
                    throw CompileError("\(p).hash_function", "MURMUR_HASH_2 is not implemented by Tern; use XX_HASH")
                }
                if r.hasMinimumRingSize { minSize = Int(clamping: r.minimumRingSize.value) }
                if r.hasMaximumRingSize { maxSize = Int(clamping: r.maximumRingSize.value) }
                guard minSize <= Self.maxRingSize else {
                    throw CompileError("\(p).minimum_ring_size", "must be at most \(Self.maxRingSize), got \(minSize)")
                }
                guard maxSize <= Self.maxRingSize else {
                    throw CompileError("\(p).maximum_ring_size", "must be at most \(Self.maxRingSize), got \(maxSize)")
                }
                guard minSize <= maxSize else {
                    throw CompileError("\(p).minimum_ring_size",
                                       "minimum_ring_size (\(minSize)) > maximum_ring_size (\(maxSize))")
                }
                guard minSize > 0 else { throw CompileError("\(p).minimum_ring_size", "must be greater than 0") }
            }
            policy = .ringHash(minimumRingSize: minSize, maximumRingSize: maxSize)
        case .maglev:
            var size = 65537
            if case .maglevLbConfig(let m)? = c.lbConfig, m.hasTableSize {
                let p = "\(path).maglev_lb_config.table_size"
                guard m.tableSize.value <= UInt64(Self.maxMaglevTableSize) else {
                    throw CompileError(p, "must be at most \(Self.maxMaglevTableSize), got \(m.tableSize.value)")
                }
                size = Int(m.tableSize.value)
                guard MaglevLoadBalancer.isPrime(size) else {
                    throw CompileError(p, "the table size of maglev must be a prime number, got \(size)")
                }
            }
            policy = .maglev(tableSize: size)
        case .clusterProvided, .loadBalancingPolicyConfig:
            context.warn("\(path).lb_policy", "\(c.lbPolicy == .clusterProvided ? "CLUSTER_PROVIDED" : "LOAD_BALANCING_POLICY_CONFIG") is not implemented by Tern yet; using ROUND_ROBIN")
            policy = .roundRobin
        case .UNRECOGNIZED(let v):
            throw CompileError("\(path).lb_policy", "unknown lb_policy \(v)")
        }
        warnMismatchedConfig(c, policy: policy, path: path)
        return policy
    }

    /// An `lb_config` for another policy is ignored, as in Envoy; say so.
    private func warnMismatchedConfig(_ c: Envoy_Config_Cluster_V3_Cluster, policy: LoadBalancerConfig.Policy, path: String) {
        let name: String
        let matches: Bool
        switch c.lbConfig {
        case nil: return
        case .ringHashLbConfig?: name = "ring_hash_lb_config"; if case .ringHash = policy { matches = true } else { matches = false }
        case .maglevLbConfig?: name = "maglev_lb_config"; if case .maglev = policy { matches = true } else { matches = false }
        case .leastRequestLbConfig?: name = "least_request_lb_config"; if case .leastRequest = policy { matches = true } else { matches = false }
        case .roundRobinLbConfig?: name = "round_robin_lb_config"; matches = policy == .roundRobin
        case .originalDstLbConfig?:
            context.warn("\(path).original_dst_lb_config", "not implemented by Tern yet; ignored")
            return
        }
        if !matches { context.warn("\(path).\(name)", "does not apply to this lb_policy; ignored") }
    }

    private func subset(_ c: Envoy_Config_Cluster_V3_Cluster, path: String) throws -> SubsetConfig? {
        guard c.hasLbSubsetConfig else { return nil }
        let s = c.lbSubsetConfig
        let p = "\(path).lb_subset_config"
        var selectors: [[String]] = []
        for (i, sel) in s.subsetSelectors.enumerated() {
            guard !sel.keys.isEmpty else {
                throw CompileError("\(p).subset_selectors[\(i)].keys", "a subset selector needs at least one key")
            }
            if let dup = Dictionary(grouping: sel.keys, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                throw CompileError("\(p).subset_selectors[\(i)].keys", "key '\(dup)' is repeated")
            }
            selectors.append(sel.keys)
        }
        let fallback: SubsetConfig.FallbackPolicy
        switch s.fallbackPolicy {
        case .noFallback: fallback = .noFallback
        case .anyEndpoint: fallback = .anyEndpoint
        case .defaultSubset: fallback = .defaultSubset(LBMetadataCompiler.compile(s.defaultSubset))
        case .UNRECOGNIZED(let v): throw CompileError("\(p).fallback_policy", "unknown fallback policy \(v)")
        }
        if s.hasDefaultSubset, s.fallbackPolicy != .defaultSubset {
            context.warn("\(p).default_subset", "only used with fallback_policy DEFAULT_SUBSET; ignored")
        }
        // Envoy: without selectors no subsets exist and every request takes the fallback.
        return SubsetConfig(selectors: selectors, fallback: fallback)
    }
}
