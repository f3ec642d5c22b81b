import NIOCore
import Testing
import TernUpstream

/// Hosts for load-balancer tests: `127.0.0.1:<port>` with a weight.
func testHost(_ port: Int, weight: Int = 1) throws -> Host {
    Host(address: try SocketAddress(ipAddress: "127.0.0.1", port: port), hostname: "h\(port)", weight: weight)
}

/// `HostSet` expands weights into an interleaved list for the round robin.
@Suite struct HostSetTests {
    @Test func equalWeightsAreNotExpanded() throws {
        let hosts = try [testHost(1, weight: 2), testHost(2, weight: 2), testHost(3, weight: 2)]
        let set = HostSet(hosts: hosts)
        #expect(set.hosts.count == 3)
        #expect(set.weighted.count == 3)
        #expect(zip(set.weighted, hosts).allSatisfy { $0 === $1 })
    }

    @Test func weightsAreInterleavedByRound() throws {
        let a = try testHost(1, weight: 1)
        let b = try testHost(2, weight: 3)
        let set = HostSet(hosts: [a, b])
        #expect(set.weighted.map(\.addressString) == ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:2", "127.0.0.1:2"])
        #expect(set.hosts.count == 2)
    }

    @Test func threeWeightsInterleave() throws {
        let hosts = try [testHost(1, weight: 2), testHost(2, weight: 1), testHost(3, weight: 3)]
        let set = HostSet(hosts: hosts)
        // Round 0: every host; round 1: weights ≥ 2; round 2: weight 3.
        #expect(set.weighted.map { $0.address.port! } == [1, 2, 3, 1, 3, 3])
        for h in hosts {
            #expect(set.weighted.filter { $0 === h }.count == h.weight)
        }
    }

    @Test func emptySet() {
        #expect(HostSet.empty.hosts.isEmpty)
        #expect(HostSet.empty.weighted.isEmpty)
        #expect(HostSet(hosts: []).weighted.isEmpty)
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
