import Testing
import TernUpstream

/// xxHash64 against the algorithm's published test values.
@Suite struct XXHash64Tests {
    @Test func knownValues() {
        #expect(XXHash64.hash("") == 0xEF46_DB37_51D8_E999)
        #expect(XXHash64.hash("abc") == 0x44BC_2CF5_AD77_0999)
    }

    @Test func longInputsAndSeedsDiffer() {
        let long = String(repeating: "0123456789", count: 10)
        #expect(XXHash64.hash(long) == XXHash64.hash(bytes: Array(long.utf8)))
        #expect(XXHash64.hash(long) != XXHash64.hash(long, seed: 1))
        #expect(XXHash64.hash(long + "x") != XXHash64.hash(long))
    }
}

/// Envoy's RING_HASH and MAGLEV: same key same host, keys spread, little movement on removal.
@Suite struct HashBalancerTests {
    static let keys = (0..<2000).map { XXHash64.hash("key-\($0)") }

    static func set(_ policy: LoadBalancerConfig.Policy, ports: [Int], weights: [Int]? = nil) throws -> HostSet {
        let config = LoadBalancerConfig(policy: policy)
        return HostSet(hosts: try ports.enumerated().map { i, p in
            try testHost(p, weight: weights?[i] ?? 1, lb: HostLBInfo(config: config))
        })
    }

    static func owners(_ set: HostSet, _ lb: inout ClusterLoadBalancer) -> [Int] {
        keys.map { lb.choose(from: set, context: LoadBalancerContext(hashKey: $0))!.address.port! }
    }

    static let policies: [LoadBalancerConfig.Policy] = [.ringHash(minimumRingSize: 1024, maximumRingSize: 8_388_608),
                                                         .maglev(tableSize: 65537)]

    @Test(arguments: policies)
    func sameKeySameHostAcrossBalancers(policy: LoadBalancerConfig.Policy) throws {
        let set = try Self.set(policy, ports: [1, 2, 3, 4])
        var a = balancer(set, randomSeed: 1)
        var b = balancer(set, randomSeed: 2)
        let first = Self.owners(set, &a)
        #expect(first == Self.owners(set, &a))
        #expect(first == Self.owners(set, &b))
        // And a set rebuilt from the same hosts in another order agrees.
        let reversed = HostSet(hosts: set.hosts.reversed())
        var c = balancer(reversed)
        #expect(first == Self.owners(reversed, &c))
        let counts = Dictionary(grouping: first, by: { $0 }).mapValues(\.count)
        for port in 1...4 { #expect((300...700).contains(counts[port] ?? 0), "port \(port): \(counts)") }
    }

    @Test(arguments: policies)
    func removingAHostMovesAboutOnlyItsKeys(policy: LoadBalancerConfig.Policy) throws {
        let full = try Self.set(policy, ports: [1, 2, 3, 4, 5])
        var lb = balancer(full)
        let before = Self.owners(full, &lb)
        let smaller = HostSet(hosts: full.hosts.filter { $0.address.port != 3 })
        var lb2 = balancer(smaller)
        let after = Self.owners(smaller, &lb2)
        let moved = zip(before, after).filter { $0 != $1 && $0 != 3 }.count
        let orphaned = before.filter { $0 == 3 }.count
        #expect(zip(before, after).allSatisfy { $0 != 3 || $1 != 3 })
        // Keys of other hosts mostly stay (Maglev and a rescaled ring move a few).
        #expect(moved < orphaned / 2 + Self.keys.count / 20, "moved \(moved), orphaned \(orphaned)")
    }

    @Test(arguments: policies)
    func weightsSkewTheShares(policy: LoadBalancerConfig.Policy) throws {
        let set = try Self.set(policy, ports: [1, 2], weights: [1, 3])
        var lb = balancer(set)
        let heavy = Self.owners(set, &lb).filter { $0 == 2 }.count
        #expect((1300...1700).contains(heavy), "heavy host got \(heavy) of 2000")
    }

    @Test(arguments: policies)
    func requestsWithoutAHashKeyGoAnywhere(policy: LoadBalancerConfig.Policy) throws {
        let set = try Self.set(policy, ports: [1, 2, 3])
        var lb = balancer(set)
        #expect(countPicks(set, 300, lb: &lb).count == 3)
    }

    @Test(arguments: policies)
    func unhealthyHostsLeaveTheTable(policy: LoadBalancerConfig.Policy) throws {
        let set = try Self.set(policy, ports: [1, 2, 3, 4])
        fail(set.hosts[0])
        let rebuilt = HostSet(hosts: set.hosts)
        var lb = balancer(rebuilt)
        #expect(!Self.owners(rebuilt, &lb).contains(1))
    }

    @Test func ringSizeFollowsEnvoysScaling() throws {
        let keys = ["a:1", "b:1", "c:1"]
        let equal = RingHashLoadBalancer(keys: keys, weights: [1.0 / 3, 1.0 / 3, 1.0 / 3], minimumRingSize: 1024, maximumRingSize: 8_388_608)
        // ceil(1024 / 3) = 342 points per host.
        #expect((1026...1029).contains(equal.ringSize))
        let capped = RingHashLoadBalancer(keys: keys, weights: [1.0 / 3, 1.0 / 3, 1.0 / 3], minimumRingSize: 1024, maximumRingSize: 600)
        #expect((600...602).contains(capped.ringSize))
    }

    @Test func maglevFillsEveryEntryInProportion() {
        let m = MaglevLoadBalancer(keys: ["a:1", "b:1"], weights: [0.25, 0.75], tableSize: 101)
        #expect(m.tableSize == 101)
        let counts = (0..<101).reduce(into: [0, 0]) { c, slot in c[m.pick(UInt64(slot))!] += 1 }
        #expect(counts[0] + counts[1] == 101)
        #expect((22...29).contains(counts[0]))
        #expect(MaglevLoadBalancer.isPrime(65537))
        #expect(!MaglevLoadBalancer.isPrime(65536))
    }

    @Test(arguments: policies)
    func retriesAvoidThePreviousHost(policy: LoadBalancerConfig.Policy) throws {
        let set = try Self.set(policy, ports: [1, 2, 3])
        var lb = balancer(set)
        for key in Self.keys.prefix(50) {
            let first = lb.choose(from: set, context: LoadBalancerContext(hashKey: key))!
            let retry = lb.choose(from: set, context: LoadBalancerContext(hashKey: key, previousHosts: [first]))!
            #expect(retry !== first)
        }
    }
}
