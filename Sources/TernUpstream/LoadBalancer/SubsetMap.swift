/// Envoy's subset load balancing (`lb_subset_config`): for each selector, hosts grouped by the
/// values of the selector's keys in their `envoy.lb` metadata, each group a `PrioritySet` of its
/// own. A request's `metadata_match` names a subset when its keys are exactly a selector's keys.
struct SubsetMap: Sendable {
    /// What serves a request whose criteria name no (non-empty) subset.
    enum Fallback: Sendable {
        case none
        case anyEndpoint
        case subset(PrioritySet)
    }

    let subsets: [LBMetadata: PrioritySet]
    let fallback: Fallback

    init(hosts: [Host], config: LoadBalancerConfig, subset: SubsetConfig, cursor: inout Int) {
        var groups: [LBMetadata: [Host]] = [:]
        var order: [LBMetadata] = []
        for keys in subset.selectors {
            for h in hosts {
                var values: LBMetadata = [:]
                for k in keys {
                    guard let v = h.lb.metadata[k] else { break }
                    values[k] = v
                }
                guard values.count == keys.count else { continue }
                if groups[values] == nil { order.append(values) }
                groups[values, default: []].append(h)
            }
        }
        var built: [LBMetadata: PrioritySet] = [:]
        for key in order { built[key] = PrioritySet(hosts: groups[key]!, config: config, cursor: &cursor) }
        subsets = built
        switch subset.fallback {
        case .noFallback: fallback = .none
        case .anyEndpoint: fallback = .anyEndpoint
        case .defaultSubset(let match):
            let members = hosts.filter { h in match.allSatisfy { h.lb.metadata[$0.key] == $0.value } }
            fallback = .subset(PrioritySet(hosts: members, config: config, cursor: &cursor))
        }
        config.stats?.recordSubsets(Set(order.map(SubsetMap.describe)))
    }

    /// The subset `criteria` names, nil when none has hosts.
    func find(_ criteria: LBMetadata) -> PrioritySet? {
        guard let set = subsets[criteria], !set.isEmpty else { return nil }
        return set
    }

    /// A stable name for a subset (`stage="prod",version="1"`), for stats bookkeeping.
    static func describe(_ values: LBMetadata) -> String {
        values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
