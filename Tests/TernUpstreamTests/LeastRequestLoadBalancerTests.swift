import Testing
import TernUpstream

/// Envoy's LEAST_REQUEST: power of two choices over `rq_active`.
@Suite struct LeastRequestLoadBalancerTests {
    static let p2c = LoadBalancerConfig(policy: .leastRequest(choiceCount: 2))

    @Test func twoChoicesPreferTheLessLoadedHost() throws {
        let busy = try testHost(1, lb: HostLBInfo(config: Self.p2c))
        let idle = try testHost(2, lb: HostLBInfo(config: Self.p2c))
        busy.stats.rqActive.store(10, ordering: .relaxed)
        let set = HostSet(hosts: [busy, idle])
        var lb = balancer(set)
        let counts = countPicks(set, 2000, lb: &lb)
        // The busy host wins only when both draws are the busy host: about 1 in 4.
        #expect((counts[2] ?? 0) > 1300)
        #expect((counts[1] ?? 0) > 250)
    }

    @Test func moreChoicesAlmostAlwaysFindTheIdleHost() throws {
        let config = LoadBalancerConfig(policy: .leastRequest(choiceCount: 6))
        let hosts = try (1...3).map { try testHost($0, lb: HostLBInfo(config: config)) }
        hosts[0].stats.rqActive.store(5, ordering: .relaxed)
        hosts[1].stats.rqActive.store(5, ordering: .relaxed)
        let set = HostSet(hosts: hosts)
        var lb = balancer(set)
        #expect((countPicks(set, 1000, lb: &lb)[3] ?? 0) > 850)
    }

    @Test func equalLoadSpreadsEvenly() throws {
        let hosts = try (1...4).map { try testHost($0, lb: HostLBInfo(config: Self.p2c)) }
        let set = HostSet(hosts: hosts)
        var lb = balancer(set)
        let counts = countPicks(set, 4000, lb: &lb)
        for port in 1...4 { #expect((800...1200).contains(counts[port] ?? 0)) }
    }

    @Test func unequalWeightsFollowWeightOverActiveRequests() throws {
        let light = try testHost(1, weight: 1, lb: HostLBInfo(config: Self.p2c))
        let heavy = try testHost(2, weight: 3, lb: HostLBInfo(config: Self.p2c))
        let set = HostSet(hosts: [light, heavy])
        var lb = balancer(set)
        let idle = countPicks(set, 4000, lb: &lb)
        #expect((2700...3300).contains(idle[2] ?? 0))
        // Loaded with 5 requests, the heavy host's effective weight 3/6 falls below the light one's 1.
        heavy.stats.rqActive.store(5, ordering: .relaxed)
        let loaded = countPicks(set, 3000, lb: &lb)
        #expect((loaded[1] ?? 0) > (loaded[2] ?? 0))
    }
}

/// Envoy's RANDOM.
@Suite struct RandomLoadBalancerTests {
    @Test func picksSpreadUniformly() throws {
        let config = LoadBalancerConfig(policy: .random)
        let hosts = try (1...3).map { try testHost($0, lb: HostLBInfo(config: config)) }
        let set = HostSet(hosts: hosts)
        var lb = balancer(set)
        let counts = countPicks(set, 3000, lb: &lb)
        for port in 1...3 { #expect((800...1200).contains(counts[port] ?? 0)) }
    }

    @Test func sameSeedSamePicks() throws {
        let config = LoadBalancerConfig(policy: .random)
        let set = HostSet(hosts: try (1...5).map { try testHost($0, lb: HostLBInfo(config: config)) })
        var a = balancer(set, randomSeed: 7)
        var b = balancer(set, randomSeed: 7)
        let pa = (0..<50).map { _ in a.choose(from: set)!.address.port! }
        let pb = (0..<50).map { _ in b.choose(from: set)!.address.port! }
        #expect(pa == pb)
        #expect(Set(pa).count == 5)
    }
}
