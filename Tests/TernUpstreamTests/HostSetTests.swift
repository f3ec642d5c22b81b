import NIOCore
import Testing
import TernUpstream

/// Hosts for load-balancer tests: `127.0.0.1:<port>` with a weight, priority and LB info.
func testHost(_ port: Int, weight: Int = 1, priority: Int = 0, lb: HostLBInfo = .none) throws -> Host {
    Host(address: try SocketAddress(ipAddress: "127.0.0.1", port: port), hostname: "h\(port)", weight: weight,
         priority: priority, lb: lb)
}

/// Marks `host` as failed by active health checking (as the health checker would).
func fail(_ host: Host) { host.setHealthFlag(.failedActiveHC, true) }

/// `HostSet` precomputes priority levels, healthy lists and the priority load split.
@Suite struct HostSetTests {
    @Test func levelsSplitByPriorityWithEmptyLevelsBetween() throws {
        let hosts = try [testHost(1), testHost(2, priority: 2), testHost(3)]
        let set = HostSet(hosts: hosts)
        #expect(set.prioritySet.levels.count == 3)
        #expect(set.prioritySet.levels[0].all.hosts.map { $0.address.port! } == [1, 3])
        #expect(set.prioritySet.levels[1].all.isEmpty)
        #expect(set.prioritySet.levels[2].all.hosts.map { $0.address.port! } == [2])
        #expect(set.prioritySet.priorityLoad.load == [100, 0, 0])
    }

    @Test func healthyListLeavesOutUnhealthyHosts() throws {
        let hosts = try [testHost(1), testHost(2), testHost(3), testHost(4)]
        fail(hosts[1])
        hosts[2].setHealthFlag(.failedEDSHealth, true)
        hosts[3].setHealthFlag(.degradedActiveHC, true)  // degraded still serves
        let level = HostSet(hosts: hosts).prioritySet.levels[0]
        #expect(level.healthy.hosts.map { $0.address.port! } == [1, 4])
        #expect(level.all.count == 4)
        #expect(!level.panic)  // 50% healthy is not below the 50% threshold
    }

    @Test func rebuiltFromHostsAloneKeepsTheClusterConfig() throws {
        let config = LoadBalancerConfig(policy: .maglev(tableSize: 7), overprovisioningFactor: 100)
        let hosts = try [testHost(1, lb: HostLBInfo(config: config)), testHost(2, lb: HostLBInfo(config: config))]
        let set = HostSet(hosts: hosts)
        #expect(set.config.policy == .maglev(tableSize: 7))
        #expect(set.config.overprovisioningFactor == 100)
        #expect(HostSet(hosts: set.hosts).config.policy == .maglev(tableSize: 7))
    }

    @Test func failingOverToTheNextPriority() throws {
        let hosts = try [testHost(1), testHost(2), testHost(3, priority: 1)]
        fail(hosts[0])
        // P0 is 50% healthy: 140 × 1/2 = 70 health, P1 takes the other 30.
        #expect(HostSet(hosts: hosts).prioritySet.priorityLoad.load == [70, 30])
        fail(hosts[1])
        #expect(HostSet(hosts: hosts).prioritySet.priorityLoad.load == [0, 100])
    }

    @Test func emptySet() {
        #expect(HostSet.empty.hosts.isEmpty)
        #expect(HostSet.empty.prioritySet.levels.isEmpty)
        #expect(HostSet.empty.prioritySet.isEmpty)
        var lb = ClusterLoadBalancer(randomSeed: 1)
        lb.reset(for: .empty)
        #expect(lb.choose(from: .empty) == nil)
    }

    @Test func hostFormatsAddressAsEnvoyPrintsIt() throws {
        let v4 = Host(address: try SocketAddress(ipAddress: "10.0.0.1", port: 8080), hostname: "backend")
        #expect(v4.addressString == "10.0.0.1:8080")
        #expect(v4.description == "10.0.0.1:8080")
        #expect(v4.hostname == "backend")
        #expect(v4.weight == 1)
        #expect(v4.priority == 0)
        let v6 = Host(address: try SocketAddress(ipAddress: "::1", port: 443), hostname: "::1", weight: 4, priority: 1)
        #expect(v6.addressString == "[::1]:443")
        #expect(v6.weight == 4)
        #expect(v6.priority == 1)
        #expect(v6.stats.rqTotal.load(ordering: .relaxed) == 0)
    }
}

/// A balancer over `set` with a fixed random seed.
func balancer(_ set: HostSet, seed: Int = 0, randomSeed: UInt64 = 42) -> ClusterLoadBalancer {
    var lb = ClusterLoadBalancer(seed: seed, randomSeed: randomSeed)
    lb.reset(for: set)
    return lb
}

/// Picks `n` times and counts picks by port.
func countPicks(_ set: HostSet, _ n: Int, context: LoadBalancerContext = .none, lb: inout ClusterLoadBalancer) -> [Int: Int] {
    var counts: [Int: Int] = [:]
    for _ in 0..<n {
        if let h = lb.choose(from: set, context: context) { counts[h.address.port!, default: 0] += 1 }
    }
    return counts
}
