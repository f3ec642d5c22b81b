import Testing
import TernUpstream

/// Envoy's ROUND_ROBIN with `load_balancing_weight`, and skipping hosts on retry.
@Suite struct RoundRobinLoadBalancerTests {
    @Test func equalWeightsCycleInOrder() throws {
        let set = HostSet(hosts: try [testHost(1), testHost(2), testHost(3)])
        var lb = balancer(set)
        let picks = (0..<7).map { _ in lb.choose(from: set)!.address.port! }
        #expect(picks == [1, 2, 3, 1, 2, 3, 1])
    }

    @Test func seedStartsAtThatIndexAndOutOfRangeSeedWraps() throws {
        let set = HostSet(hosts: try [testHost(1), testHost(2), testHost(3)])
        var seeded = balancer(set, seed: 1)
        #expect((0..<4).map { _ in seeded.choose(from: set)!.address.port! } == [2, 3, 1, 2])
        var large = balancer(set, seed: 10)
        #expect((0..<2).map { _ in large.choose(from: set)!.address.port! } == [2, 3])
    }

    @Test(arguments: [0, 1, 2, 3, 7])
    func weightsOneToThreeGiveExactSharesPerLap(seed: Int) throws {
        let set = HostSet(hosts: try [testHost(1, weight: 1), testHost(2, weight: 3)])
        var lb = balancer(set, seed: seed)
        #expect(countPicks(set, 400, lb: &lb) == [1: 100, 2: 300])
    }

    @Test func weightedDistributionOfThreeHostsIsInterleaved() throws {
        let set = HostSet(hosts: try [testHost(1, weight: 5), testHost(2, weight: 1), testHost(3, weight: 2)])
        var lb = balancer(set)
        let lap = (0..<8).map { _ in lb.choose(from: set)!.address.port! }
        // Exact shares in one lap, and the heavy host never takes more than 3 turns in a row.
        #expect(lap.filter { $0 == 1 }.count == 5)
        #expect(lap.filter { $0 == 2 }.count == 1)
        #expect(!lap.map(String.init).joined().contains("1111"))
        #expect(countPicks(set, 800, lb: &lb) == [1: 500, 2: 100, 3: 200])
    }

    @Test func unhealthyHostsAreSkipped() throws {
        let hosts = try [testHost(1), testHost(2), testHost(3), testHost(4)]
        fail(hosts[1])
        let set = HostSet(hosts: hosts)
        var lb = balancer(set)
        #expect(countPicks(set, 30, lb: &lb) == [1: 10, 3: 10, 4: 10])
    }

    @Test func previousHostsAreAvoidedWhileOthersExist() throws {
        let hosts = try [testHost(1), testHost(2), testHost(3)]
        let set = HostSet(hosts: hosts)
        for excluded in hosts {
            var lb = balancer(set)
            for _ in 0..<30 { #expect(lb.choose(from: set, context: LoadBalancerContext(previousHosts: [excluded])) !== excluded) }
        }
        var lb = balancer(set)
        let twoTried = LoadBalancerContext(previousHosts: [hosts[0], hosts[2]])
        for _ in 0..<10 { #expect(lb.choose(from: set, context: twoTried) === hosts[1]) }
    }

    /// A heavy host takes most positions; skipping it must still find the light one.
    @Test func skippingAHeavyHostInAWeightedSet() throws {
        let a = try testHost(1, weight: 1)
        let b = try testHost(2, weight: 3)
        let set = HostSet(hosts: [a, b])
        for seed in 0..<4 {
            var lb = balancer(set, seed: seed)
            for _ in 0..<8 { #expect(lb.choose(from: set, context: LoadBalancerContext(previousHosts: [b])) === a) }
            for _ in 0..<8 { #expect(lb.choose(from: set, context: LoadBalancerContext(previousHosts: [a])) === b) }
        }
    }

    @Test func skippingTheOnlyHostStillReturnsIt() throws {
        let a = try testHost(1)
        let set = HostSet(hosts: [a])
        var lb = balancer(set)
        #expect(lb.choose(from: set, context: LoadBalancerContext(previousHosts: [a])) === a)
    }

    /// A republished set (a health flag flipped elsewhere) continues the cycle rather than
    /// starting over at the first host, which would send a retry back to the host that failed.
    @Test func republishedSetContinuesTheCycle() throws {
        let hosts = try [testHost(1), testHost(2)]
        let set = HostSet(hosts: hosts)
        var lb = balancer(set)
        #expect(lb.choose(from: set)?.address.port == 1)
        let again = HostSet(hosts: hosts)
        lb.reset(for: again)
        #expect(lb.choose(from: again)?.address.port == 2)
    }

    /// A host set replaced by a smaller one (after a DNS refresh) must not index past its end.
    @Test func shrinkingSetDoesNotOverrun() throws {
        let big = HostSet(hosts: try [testHost(1), testHost(2), testHost(3), testHost(4)])
        let small = HostSet(hosts: try [testHost(5)])
        var lb = balancer(big)
        for _ in 0..<3 { _ = lb.choose(from: big) }
        lb.reset(for: small)
        #expect(lb.choose(from: small)?.address.port == 5)
        // Even without a reset the balancer stays in bounds.
        #expect(lb.choose(from: big) != nil)
        #expect(lb.choose(from: small)?.address.port == 5)
    }
}
