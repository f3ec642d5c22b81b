import TernCore
import Testing
import TernUpstream

/// Envoy's subset load balancing: `lb_subset_config` selectors over endpoint `envoy.lb`
/// metadata, a route's `metadata_match`, and each fallback policy.
@Suite struct SubsetLoadBalancerTests {
    static func hosts(_ fallback: SubsetConfig.FallbackPolicy, stats: LoadBalancerStats? = nil) throws -> HostSet {
        let config = LoadBalancerConfig(subset: SubsetConfig(selectors: [["version"], ["stage", "version"]], fallback: fallback),
                                        stats: stats)
        func host(_ port: Int, _ metadata: LBMetadata) throws -> Host {
            try testHost(port, lb: HostLBInfo(metadata: metadata, config: config))
        }
        return HostSet(hosts: try [
            host(1, ["version": .string("v1"), "stage": .string("prod")]),
            host(2, ["version": .string("v1"), "stage": .string("canary")]),
            host(3, ["version": .string("v2"), "stage": .string("prod")]),
            host(4, [:]),
        ])
    }

    static func ports(_ set: HostSet, _ match: LBMetadata?) -> Set<Int> {
        var lb = balancer(set)
        return Set(countPicks(set, 40, context: LoadBalancerContext(metadataMatch: match), lb: &lb).keys)
    }

    @Test func metadataMatchSelectsTheSubset() throws {
        let store = StatsStore(workers: 1)
        let stats = LoadBalancerStats(root: store.root, statName: "c")
        let set = try Self.hosts(.noFallback, stats: stats)
        #expect(Self.ports(set, ["version": .string("v1")]) == [1, 2])
        #expect(Self.ports(set, ["version": .string("v2")]) == [3])
        #expect(Self.ports(set, ["version": .string("v1"), "stage": .string("canary")]) == [2])
        #expect(stats.lbSubsetsSelected.value == 120)
        // v1, v2, v1+prod, v1+canary, v2+prod.
        #expect(stats.lbSubsetsActive.value == 5)
        #expect(stats.lbSubsetsCreated.value == 5)
        // The same hosts published again create nothing new.
        _ = HostSet(hosts: set.hosts)
        #expect(stats.lbSubsetsCreated.value == 5)
    }

    @Test func noFallbackGivesNoHost() throws {
        let set = try Self.hosts(.noFallback)
        var lb = balancer(set)
        #expect(lb.choose(from: set, context: LoadBalancerContext(metadataMatch: ["version": .string("v3")])) == nil)
        // Keys that are no selector's keys name no subset.
        #expect(lb.choose(from: set, context: LoadBalancerContext(metadataMatch: ["stage": .string("prod")])) == nil)
        #expect(lb.choose(from: set) == nil)
    }

    @Test func anyEndpointFallsBackToEveryHost() throws {
        let store = StatsStore(workers: 1)
        let stats = LoadBalancerStats(root: store.root, statName: "c")
        let set = try Self.hosts(.anyEndpoint, stats: stats)
        #expect(Self.ports(set, ["version": .string("v3")]) == [1, 2, 3, 4])
        #expect(Self.ports(set, nil) == [1, 2, 3, 4])
        #expect(stats.lbSubsetsFallback.value == 80)
    }

    @Test func defaultSubsetFallsBackToItsHosts() throws {
        let set = try Self.hosts(.defaultSubset(["stage": .string("prod")]))
        #expect(Self.ports(set, ["version": .string("v3")]) == [1, 3])
        #expect(Self.ports(set, nil) == [1, 3])
        let everything = try Self.hosts(.defaultSubset([:]))
        #expect(Self.ports(everything, nil) == [1, 2, 3, 4])
    }

    @Test func valuesCompareByKind() throws {
        let config = LoadBalancerConfig(subset: SubsetConfig(selectors: [["n"]], fallback: .noFallback))
        let set = HostSet(hosts: [try testHost(1, lb: HostLBInfo(metadata: ["n": .number(1)], config: config))])
        #expect(Self.ports(set, ["n": .number(1)]) == [1])
        #expect(Self.ports(set, ["n": .string("1")]).isEmpty)
    }

    @Test func unhealthySubsetHostsFollowPanicRules() throws {
        let set = try Self.hosts(.noFallback)
        fail(set.hosts[0])
        let rebuilt = HostSet(hosts: set.hosts)
        // v1 has hosts 1 (failed) and 2: 50% healthy, not in panic, so only host 2 serves.
        #expect(Self.ports(rebuilt, ["version": .string("v1")]) == [2])
    }
}
