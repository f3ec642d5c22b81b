import NIOConcurrencyHelpers
import NIOCore
import Testing
import TernCore
import TernUpstream

/// `ClusterManager` over two workers: installs, keeps, replaces and removes clusters on every
/// worker, resolves STRICT_DNS clusters and refreshes them without churning hosts.
@Suite struct ClusterManagerTests {
    static let local = [EndpointConfig(address: "127.0.0.1", port: 8001), EndpointConfig(address: "127.0.0.1", port: 8002)]

    @Test func staticClusterIsInstalledOnEveryWorker() async throws {
        try await ClusterManagerHarness.with { h in
            try await h.manager.apply([h.cluster("backend", endpoints: Self.local)]).get()
            let views = try await h.views("backend")
            #expect(views.count == 2)
            for (index, view) in views.enumerated() {
                #expect(view.cluster != nil)
                #expect(view.worker == index)
                #expect(view.config?.name == "backend")
                #expect(view.hosts.map(\.addressString) == ["127.0.0.1:8001", "127.0.0.1:8002"])
            }
            // Each worker has its own WorkerCluster, but the Host objects are shared.
            #expect(views[0].cluster !== views[1].cluster)
            #expect(zip(views[0].hosts, views[1].hosts).allSatisfy { $0 === $1 })

            let current = h.manager.current()
            #expect(current.map(\.config.name) == ["backend"])
            #expect(zip(current[0].hosts.hosts, views[0].hosts).allSatisfy { $0 === $1 })
            #expect(current[0].hosts.hosts.map(\.hostname) == ["127.0.0.1", "127.0.0.1"])

            #expect(h.gauge("cluster.backend.membership_total") == 2)
            #expect(h.gauge("cluster.backend.membership_healthy") == 2)
            #expect(h.counter("cluster.backend.update_success") == 1)
            #expect(h.counter("cluster.backend.update_failure") == 0)
            #expect(try await h.views("other").allSatisfy { $0.cluster == nil })
        }
    }

    @Test func eachWorkerBalancesTheWeightedHosts() async throws {
        try await ClusterManagerHarness.with { h in
            let endpoints = [EndpointConfig(address: "127.0.0.1", port: 8001, weight: 1),
                             EndpointConfig(address: "127.0.0.1", port: 8002, weight: 3)]
            try await h.manager.apply([h.cluster("weighted", endpoints: endpoints)]).get()
            for worker in h.workers {
                let picks = try await worker.pick("weighted", count: 400)
                #expect(picks.filter { $0?.address.port == 8001 }.count == 100)
                #expect(picks.filter { $0?.address.port == 8002 }.count == 300)
            }
        }
    }

    @Test func reapplyingTheSameFingerprintKeepsTheWorkerCluster() async throws {
        try await ClusterManagerHarness.with { h in
            let config = h.cluster("backend", endpoints: Self.local)
            try await h.manager.apply([config]).get()
            let before = try await h.views("backend")
            // A freshly compiled config with an equal fingerprint is the same cluster.
            try await h.manager.apply([h.cluster("backend", endpoints: Self.local)]).get()
            try await h.manager.apply([config]).get()
            let after = try await h.views("backend")
            for (b, a) in zip(before, after) {
                #expect(b.cluster != nil)
                #expect(b.cluster === a.cluster)
                #expect(zip(b.hosts, a.hosts).allSatisfy { $0 === $1 })
            }
            #expect(h.counter("cluster.backend.update_success") == 1, "unchanged clusters are not re-resolved")
            #expect(h.manager.current().count == 1)
        }
    }

    @Test func changedFingerprintReplacesTheWorkerCluster() async throws {
        try await ClusterManagerHarness.with { h in
            try await h.manager.apply([h.cluster("backend", endpoints: Self.local, fingerprint: "v1")]).get()
            let before = try await h.views("backend")
            let endpoints = [EndpointConfig(address: "127.0.0.1", port: 9000)]
            try await h.manager.apply([h.cluster("backend", endpoints: endpoints, fingerprint: "v2")]).get()
            let after = try await h.views("backend")
            for (b, a) in zip(before, after) {
                #expect(a.cluster != nil)
                #expect(b.cluster !== a.cluster)
                #expect(a.config?.fingerprint == Array("v2".utf8))
                #expect(a.hosts.map(\.addressString) == ["127.0.0.1:9000"])
            }
            let current = h.manager.current()
            #expect(current.count == 1)
            #expect(current.first?.config.fingerprint == Array("v2".utf8))
            #expect(current.first?.hosts.hosts.map(\.addressString) == ["127.0.0.1:9000"])
            // Stats belong to the stat name, so they carry over the change.
            #expect(h.counter("cluster.backend.update_success") == 2)
            #expect(h.gauge("cluster.backend.membership_total") == 1)
        }
    }

    @Test func missingNameIsRemoved() async throws {
        try await ClusterManagerHarness.with { h in
            let a = h.cluster("a", endpoints: Self.local)
            let b = h.cluster("b", endpoints: Self.local)
            try await h.manager.apply([a, b]).get()
            let aBefore = try await h.views("a")
            #expect(try await h.views("b").allSatisfy { $0.cluster != nil })
            #expect(h.manager.current().map(\.config.name) == ["a", "b"])

            try await h.manager.apply([a]).get()
            // The removal was posted to each worker before `apply` completed, so it is visible now.
            #expect(try await h.views("b").allSatisfy { $0.cluster == nil })
            let aAfter = try await h.views("a")
            #expect(zip(aBefore, aAfter).allSatisfy { $0.cluster === $1.cluster })
            #expect(h.manager.current().map(\.config.name) == ["a"])

            try await h.manager.apply([]).get()
            #expect(try await h.views("a").allSatisfy { $0.cluster == nil })
            #expect(h.manager.current().isEmpty)

            // Re-adding a removed name installs it afresh.
            try await h.manager.apply([a]).get()
            let again = try await h.views("a")
            #expect(again.allSatisfy { $0.cluster != nil })
            #expect(zip(aBefore, again).allSatisfy { $0.cluster !== $1.cluster })
        }
    }

    @Test func strictDNSResolvesLocalhost() async throws {
        try await ClusterManagerHarness.with { h in
            let config = h.cluster("dns", discovery: .strictDNS, endpoints: [EndpointConfig(address: "localhost", port: 8080)])
            try await h.manager.apply([config]).get()
            for view in try await h.views("dns") {
                #expect(view.hosts.map(\.addressString) == ["127.0.0.1:8080"])
                #expect(view.hosts.map(\.hostname) == ["localhost"])
            }
            #expect(h.manager.current().first?.hosts.hosts.map(\.addressString) == ["127.0.0.1:8080"])
            #expect(h.gauge("cluster.dns.membership_total") == 1)
            #expect(h.gauge("cluster.dns.membership_healthy") == 1)
            #expect(h.counter("cluster.dns.update_success") == 1)
            #expect(h.counter("cluster.dns.update_failure") == 0)
        }
    }

    @Test func logicalDNSTakesOneAddressPerEndpoint() async throws {
        try await ClusterManagerHarness.with { h in
            let config = h.cluster("logical", discovery: .logicalDNS, endpoints: [EndpointConfig(address: "localhost", port: 81)],
                                   family: .all)
            try await h.manager.apply([config]).get()
            let hosts = h.manager.current().first?.hosts.hosts ?? []
            #expect(hosts.count == 1)
            #expect(hosts.first?.hostname == "localhost")
            #expect(hosts.first?.address.port == 81)
            #expect(h.gauge("cluster.logical.membership_total") == 1)
        }
    }

    /// A refresh that finds the same addresses keeps the same `Host` objects (so pools survive)
    /// and the same per-worker cluster.
    @Test func strictDNSRefreshKeepsUnchangedHosts() async throws {
        try await ClusterManagerHarness.with { h in
            let config = h.cluster("dns", discovery: .strictDNS, endpoints: [EndpointConfig(address: "localhost", port: 8080)],
                                   refresh: .milliseconds(20))
            try await h.manager.apply([config]).get()
            let first = try await h.views("dns")
            let initialHosts = h.manager.current().first?.hosts.hosts ?? []
            #expect(initialHosts.count == 1)

            let refreshed = await eventually { (h.counter("cluster.dns.update_success") ?? 0) >= 4 }
            #expect(refreshed, "three refreshes within the timeout")
            // The last refresh's update may still be on its way to the workers; either way the hosts are the same.
            for worker in h.workers { _ = try await worker.eventLoop.submit {}.get() }

            let hosts = h.manager.current().first?.hosts.hosts ?? []
            #expect(hosts.count == initialHosts.count)
            #expect(zip(hosts, initialHosts).allSatisfy { $0 === $1 })
            let later = try await h.views("dns")
            for (a, b) in zip(first, later) {
                #expect(a.cluster === b.cluster)
                #expect(b.hosts.count == 1)
                #expect(zip(b.hosts, initialHosts).allSatisfy { $0 === $1 })
            }
            #expect(h.gauge("cluster.dns.membership_total") == 1)
            #expect(h.counter("cluster.dns.update_failure") == 0)
        }
    }

    /// Once removed, a DNS cluster stops refreshing. Judged against another cluster's refreshes
    /// on the same control loop rather than by waiting.
    @Test func removedClusterStopsRefreshing() async throws {
        try await ClusterManagerHarness.with { h in
            let endpoints = [EndpointConfig(address: "localhost", port: 8080)]
            let gone = h.cluster("gone", discovery: .strictDNS, endpoints: endpoints, refresh: .milliseconds(10))
            let kept = h.cluster("kept", discovery: .strictDNS, endpoints: endpoints, refresh: .milliseconds(10))
            try await h.manager.apply([gone]).get()
            #expect(await eventually { (h.counter("cluster.gone.update_success") ?? 0) >= 3 })

            try await h.manager.apply([kept]).get()
            let atRemoval = h.counter("cluster.gone.update_success") ?? 0
            #expect(await eventually { (h.counter("cluster.kept.update_success") ?? 0) >= 6 })
            // One lookup may have been in flight when the cluster was removed.
            #expect((h.counter("cluster.gone.update_success") ?? 0) <= atRemoval + 1)
            #expect(try await h.views("gone").allSatisfy { $0.cluster == nil })
        }
    }

    @Test func unresolvableNameCountsUpdateFailure() async throws {
        try await ClusterManagerHarness.with { h in
            let config = h.cluster("bad", discovery: .strictDNS,
                                   endpoints: [EndpointConfig(address: "no-such-host.invalid", port: 80)])
            // The cluster is warm once DNS has answered, even with a failure.
            try await h.manager.apply([config]).get()
            #expect(h.counter("cluster.bad.update_failure") == 1)
            #expect(h.counter("cluster.bad.update_success") == 0)
            #expect(h.gauge("cluster.bad.membership_total") == 0)
            for view in try await h.views("bad") {
                #expect(view.cluster != nil)
                #expect(view.hosts.isEmpty)
            }
            let picks = try await h.workers[0].pick("bad", count: 2)
            #expect(picks.count == 2 && picks.allSatisfy { $0 == nil })
            #expect(h.manager.current().first?.hosts.hosts.isEmpty == true)
        }
    }

    @Test func oneFailingEndpointKeepsTheOthers() async throws {
        try await ClusterManagerHarness.with { h in
            let config = h.cluster("mixed", discovery: .strictDNS,
                                   endpoints: [EndpointConfig(address: "localhost", port: 80),
                                               EndpointConfig(address: "no-such-host.invalid", port: 80),
                                               EndpointConfig(address: "127.0.0.2", port: 81)])
            try await h.manager.apply([config]).get()
            #expect(h.counter("cluster.mixed.update_failure") == 1)
            #expect(h.counter("cluster.mixed.update_success") == 0)
            #expect(h.gauge("cluster.mixed.membership_total") == 2)
            for view in try await h.views("mixed") {
                #expect(view.hosts.map(\.addressString) == ["127.0.0.1:80", "127.0.0.2:81"])
            }
        }
    }

    @Test func membershipFollowsTheCurrentConfig() async throws {
        try await ClusterManagerHarness.with { h in
            try await h.manager.apply([h.cluster("m", endpoints: Self.local, fingerprint: "1")]).get()
            #expect(h.gauge("cluster.m.membership_total") == 2)
            let three = Self.local + [EndpointConfig(address: "::1", port: 8003)]
            try await h.manager.apply([h.cluster("m", endpoints: three, fingerprint: "2")]).get()
            #expect(h.gauge("cluster.m.membership_total") == 3)
            for view in try await h.views("m") {
                #expect(view.hosts.map(\.addressString) == ["127.0.0.1:8001", "127.0.0.1:8002", "[::1]:8003"])
            }
        }
    }
}

/// Envoy keeps a STRICT_DNS endpoint's last good hosts when a re-resolution fails.
@Suite struct StrictDNSFailureTests {
    @Test func aFailedRefreshKeepsTheLastGoodHosts() async throws {
        let calls = NIOLockedValueBox(0)
        let resolver = DNSResolver(pool: .singleton) { name, port, _ in
            let n = calls.withLockedValue { c -> Int in c += 1; return c }
            guard n == 1 else { throw DNSResolutionError(name: name, reason: "test: resolver down") }
            return [try SocketAddress(ipAddress: "127.0.0.7", port: port)]
        }
        try await ClusterManagerHarness.with(resolver: resolver) { h in
            let config = h.cluster("flaky", discovery: .strictDNS, endpoints: [EndpointConfig(address: "svc.test", port: 8080)],
                                   refresh: .milliseconds(20))
            try await h.manager.apply([config]).get()
            let before = try await h.views("flaky")
            #expect(before.allSatisfy { $0.hosts.map(\.addressString) == ["127.0.0.7:8080"] })
            let failed = await eventually { (h.counter("cluster.flaky.update_failure") ?? 0) >= 3 }
            #expect(failed, "three failed refreshes within the timeout")
            let after = try await h.views("flaky")
            #expect(after.allSatisfy { $0.hosts.map(\.addressString) == ["127.0.0.7:8080"] })
            #expect(h.manager.current().first?.hosts.hosts.count == 1)
        }
    }
}
