import Testing
import TernUpstream

/// Envoy's ROUND_ROBIN with `load_balancing_weight`, and skipping a host on retry.
@Suite struct RoundRobinLoadBalancerTests {
    @Test func emptySetGivesNil() {
        var lb = RoundRobinLoadBalancer()
        #expect(lb.choose(from: .empty) == nil)
        #expect(lb.choose(from: .empty) == nil)
    }

    @Test func equalWeightsCycleInOrder() throws {
        let hosts = try [testHost(1), testHost(2), testHost(3)]
        var lb = RoundRobinLoadBalancer()
        let picks = (0..<7).map { _ in lb.choose(from: HostSet(hosts: hosts))!.address.port! }
        #expect(picks == [1, 2, 3, 1, 2, 3, 1])
    }

    @Test func seedStartsAtThatIndexAndOutOfRangeSeedWraps() throws {
        let set = HostSet(hosts: try [testHost(1), testHost(2), testHost(3)])
        var seeded = RoundRobinLoadBalancer(seed: 1)
        #expect((0..<4).map { _ in seeded.choose(from: set)!.address.port! } == [2, 3, 1, 2])
        var large = RoundRobinLoadBalancer(seed: 10)
        #expect((0..<2).map { _ in large.choose(from: set)!.address.port! } == [1, 2])
    }

    @Test(arguments: [0, 1, 2, 3, 7])
    func weightsOneToThreeOver400Picks(seed: Int) throws {
        let a = try testHost(1, weight: 1)
        let b = try testHost(2, weight: 3)
        let set = HostSet(hosts: [a, b])
        var lb = RoundRobinLoadBalancer(seed: seed)
        var counts = [0, 0]
        for _ in 0..<400 {
            let picked = lb.choose(from: set)
            let h = try #require(picked)
            counts[h === a ? 0 : 1] += 1
        }
        #expect(counts == [100, 300])
    }

    @Test func weightedDistributionOfThreeHosts() throws {
        let hosts = try [testHost(1, weight: 5), testHost(2, weight: 1), testHost(3, weight: 2)]
        let set = HostSet(hosts: hosts)
        var lb = RoundRobinLoadBalancer()
        var counts: [Int: Int] = [:]
        for _ in 0..<800 { counts[lb.choose(from: set)!.address.port!, default: 0] += 1 }
        #expect(counts == [1: 500, 2: 100, 3: 200])
    }

    /// A host set replaced by a smaller one (after a DNS refresh) must not index past its end.
    @Test func shrinkingSetDoesNotOverrun() throws {
        let big = HostSet(hosts: try [testHost(1), testHost(2), testHost(3), testHost(4)])
        let small = HostSet(hosts: try [testHost(5)])
        var lb = RoundRobinLoadBalancer()
        for _ in 0..<3 { _ = lb.choose(from: big) }
        #expect(lb.choose(from: small)?.address.port == 5)
        #expect(lb.choose(from: small)?.address.port == 5)
    }

    @Test func skippingTheNextHostGivesAnother() throws {
        let a = try testHost(1)
        let b = try testHost(2)
        let c = try testHost(3)
        let set = HostSet(hosts: [a, b, c])
        var lb = RoundRobinLoadBalancer()
        #expect(lb.choose(from: set, skipping: a) === b)
        #expect(lb.choose(from: set, skipping: a) === c)
        #expect(lb.choose(from: set, skipping: a) === b)
        // Skipping a host the balancer would not pick next changes nothing.
        #expect(lb.choose(from: set, skipping: a) === c)
        #expect(lb.choose(from: set, skipping: c) === a)
        #expect(lb.choose(from: set, skipping: b) === c)
    }

    @Test func skippingNeverReturnsTheExcludedHostWhenAnotherExists() throws {
        let a = try testHost(1)
        let b = try testHost(2)
        let c = try testHost(3)
        let set = HostSet(hosts: [a, b, c])
        for excluded in [a, b, c] {
            var lb = RoundRobinLoadBalancer()
            for _ in 0..<30 {
                #expect(lb.choose(from: set, skipping: excluded) !== excluded)
            }
        }
    }

    /// A weighted set repeats the heavy host; skipping it must still find the light one.
    @Test func skippingAHeavyHostInAWeightedSet() throws {
        let a = try testHost(1, weight: 1)
        let b = try testHost(2, weight: 3)
        let set = HostSet(hosts: [a, b])
        for seed in 0..<4 {
            var lb = RoundRobinLoadBalancer(seed: seed)
            for _ in 0..<8 {
                #expect(lb.choose(from: set, skipping: b) === a)
            }
            var lbA = RoundRobinLoadBalancer(seed: seed)
            for _ in 0..<8 {
                #expect(lbA.choose(from: set, skipping: a) === b)
            }
        }
    }

    @Test func skippingTheOnlyHostStillReturnsIt() throws {
        let a = try testHost(1)
        let set = HostSet(hosts: [a])
        var lb = RoundRobinLoadBalancer()
        #expect(lb.choose(from: set, skipping: a) === a)
        #expect(lb.choose(from: set, skipping: a) === a)
    }

    @Test func skippingAHostNotInTheSet() throws {
        let set = HostSet(hosts: try [testHost(1), testHost(2)])
        var lb = RoundRobinLoadBalancer()
        let stranger = try testHost(1)  // same address, different object
        #expect(lb.choose(from: set, skipping: stranger)?.address.port == 1)
        #expect(lb.choose(from: set, skipping: stranger)?.address.port == 2)
    }
}
