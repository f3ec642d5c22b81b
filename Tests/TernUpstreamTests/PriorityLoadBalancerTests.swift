import TernCore
import Testing
import TernUpstream

/// Envoy's priority levels, overprovisioning factor and panic threshold, checked against the
/// tables of Envoy's "Priority levels" and "Panic threshold" architecture docs.
@Suite struct PriorityLoadBalancerTests {
    /// Two levels of 100 hosts each, `p0`/`p1` percent healthy.
    static func load(_ p0: Int, _ p1: Int, factor: Int = 140, threshold: Double = 50) -> PriorityLoad {
        PriorityLoad(healthy: [p0, p1], total: [100, 100], overprovisioningFactor: factor, panicThreshold: threshold)
    }

    @Test(arguments: [(100, [100, 0]), (72, [100, 0]), (71, [99, 1]), (50, [70, 30]), (25, [35, 65]), (0, [0, 100])])
    func twoLevelsSpillAsEnvoysTable(p0Healthy: Int, expected: [Int]) {
        #expect(Self.load(p0Healthy, 100).load == expected)
    }

    @Test func threeLevels() {
        // Envoy's docs: P0 20% healthy (28), P1 20% (28), P2 100% takes the remaining 44.
        let l = PriorityLoad(healthy: [20, 20, 100], total: [100, 100, 100], overprovisioningFactor: 140, panicThreshold: 50)
        #expect(l.load == [28, 28, 44])
        #expect(l.panic == [false, false, false])
    }

    @Test func panicOnlyWhenTotalHealthIsBelowHundred() {
        // 40%/40%: health 56 + 56 ≥ 100, so nobody panics though each is below 50%.
        #expect(Self.load(40, 40).panic == [false, false])
        #expect(Self.load(40, 40).load == [56, 44])
        // 30%/30%: 42 + 42 = 84 < 100 and both below 50%: total panic, load by host counts.
        #expect(Self.load(30, 30).panic == [true, true])
        #expect(Self.load(30, 30).load == [50, 50])
        // 10%/50%: 14 + 70 = 84 < 100; only P0 is below 50%. Load scales by 84, and the
        // rounding leftover goes to the first level with health.
        let mixed = Self.load(10, 50)
        #expect(mixed.panic == [true, false])
        #expect(mixed.load == [17, 83])
    }

    @Test func zeroThresholdDisablesPanic() {
        let l = Self.load(0, 0, threshold: 0)
        #expect(l.panic == [false, false])
        #expect(l.load == [100, 0])
    }

    @Test func overprovisioningFactorOfHundredSpillsEarlier() {
        #expect(Self.load(80, 100, factor: 100).load == [80, 20])
    }

    @Test func chooseMapsHashesToShares() {
        let l = PriorityLoad(load: [70, 30], panic: [false, false])
        let picks = (0..<100).map { l.choose(UInt64($0)) }
        #expect(picks.filter { $0 == 0 }.count == 70)
    }

    @Test func panicBalancesOverAllHostsAndCounts() throws {
        let store = StatsStore(workers: 1)
        let stats = LoadBalancerStats(root: store.root, statName: "c")
        let config = LoadBalancerConfig(stats: stats)
        let hosts = try (1...4).map { try testHost($0, lb: HostLBInfo(config: config)) }
        for h in hosts.prefix(3) { fail(h) }
        let set = HostSet(hosts: hosts)
        var lb = balancer(set)
        // 25% healthy < 50%: every host serves, and each pick counts lb_healthy_panic.
        #expect(countPicks(set, 40, lb: &lb) == [1: 10, 2: 10, 3: 10, 4: 10])
        #expect(stats.lbHealthyPanic.value == 40)
    }

    @Test func allUnhealthyWithPanicDisabledGivesNoHost() throws {
        let config = LoadBalancerConfig(healthyPanicThreshold: 0)
        let hosts = try (1...2).map { try testHost($0, lb: HostLBInfo(config: config)) }
        hosts.forEach(fail)
        let set = HostSet(hosts: hosts)
        var lb = balancer(set)
        #expect(lb.choose(from: set) == nil)
    }

    @Test func trafficFailsOverAndSpillsToTheNextLevel() throws {
        let hosts = try [testHost(1), testHost(2), testHost(3, priority: 1)]
        fail(hosts[0])
        let set = HostSet(hosts: hosts)
        var lb = balancer(set)
        let counts = countPicks(set, 2000, lb: &lb)
        #expect(counts[1] == nil)
        // 70% to P0 (host 2), 30% to P1 (host 3).
        #expect((1250...1550).contains(counts[2] ?? 0))
        #expect((450...750).contains(counts[3] ?? 0))
    }

    @Test func localityWeightsSplitTrafficWithinALevel() throws {
        let config = LoadBalancerConfig(localityWeighted: true)
        func host(_ port: Int, locality: Int, weight: Int?) throws -> Host {
            try testHost(port, lb: HostLBInfo(locality: locality, localityWeight: weight, config: config))
        }
        // Locality 0 (weight 1, two hosts), locality 1 (weight 3, one host), locality 2 unweighted.
        let hosts = try [host(1, locality: 0, weight: 1), host(2, locality: 0, weight: 1), host(3, locality: 1, weight: 3),
                         host(4, locality: 2, weight: nil)]
        let set = HostSet(hosts: hosts)
        var lb = balancer(set)
        let counts = countPicks(set, 4000, lb: &lb)
        #expect(counts[4] == nil)
        #expect((2700...3300).contains(counts[3] ?? 0))
        #expect((400...600).contains(counts[1] ?? 0))
    }
}
