// Envoy's cluster load balancing seen from outside: several real upstreams that count what they
// receive, and a Tern (or Envoy) in front choosing among them by `lb_policy`, `hash_policy`,
// priorities with config `health_status`, subsets by route `metadata_match`, and locality weights.
// Assertions are on counts with generous bounds (random policies), never on timing.

import Foundation
import Testing
import TernTestSupport

@Suite("Load balancing", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct LoadBalancingTests {
    /// One `lb_endpoints` item for 127.0.0.1:`port`; `extra` adds LbEndpoint fields.
    static func endpoint(_ port: Int, extra: String = "") -> String {
        "- endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: \(port) } } }"
            + (extra.isEmpty ? "" : "\n  \(extra)")
    }

    /// A STATIC cluster `svc` whose `load_assignment.endpoints` is `localities` (YAML list at
    /// column 0); `extra` adds cluster fields.
    static func cluster(localities: String, extra: String = "") -> String {
        """
        - name: svc
          type: STATIC
          connect_timeout: 1s
        \(EnvoyConfig.indent(extra, 2))
          load_assignment:
            cluster_name: svc
            endpoints:
        \(EnvoyConfig.indent(localities, 4))
        """
    }

    /// One locality holding `endpoints`; `extra` adds LocalityLbEndpoints fields.
    static func locality(_ endpoints: [String], extra: String = "") -> String {
        "- lb_endpoints:\n" + EnvoyConfig.indent(endpoints.joined(separator: "\n"), 2)
            + (extra.isEmpty ? "" : "\n" + EnvoyConfig.indent(extra, 2))
    }

    static func proxy(cluster: String, virtualHosts: String = EnvoyConfig.routeAll(to: "svc")) -> String {
        EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: virtualHosts)], clusters: [cluster])
    }

    static func upstreams(_ n: Int) async throws -> [UpstreamServer] {
        var out: [UpstreamServer] = []
        for i in 0..<n { out.append(try await UpstreamServer.start(.respond(body: "u\(i)"), name: "u\(i)")) }
        return out
    }

    static func stop(_ servers: [UpstreamServer]) async {
        for s in servers { await s.stop() }
    }

    /// Sends `count` GETs on one keep-alive connection, each with `headers(i)`; the answering
    /// upstream's name per request.
    static func names(port: Int, count: Int, headers: (Int) -> [(String, String)] = { _ in [] }) async throws -> [String] {
        let client = try await KeepAliveClient.connect(port: port)
        var out: [String] = []
        for i in 0..<count {
            let r = try await client.request("GET", "/r\(i)", headers: headers(i))
            out.append(r.status == 200 ? r.headers["x-upstream-name"] ?? "?" : "status \(r.status)")
        }
        await client.close()
        return out
    }

    @Test("ROUND_ROBIN, LEAST_REQUEST and RANDOM spread 60 requests over three upstreams",
          arguments: ["ROUND_ROBIN", "LEAST_REQUEST", "RANDOM"])
    func policiesSpread(policy: String) async throws {
        let ups = try await Self.upstreams(3)
        let cluster = Self.cluster(localities: Self.locality(ups.map { Self.endpoint($0.port) }), extra: "lb_policy: \(policy)")
        try await TernProcess.with(config: Self.proxy(cluster: cluster)) { proxy in
            let names = try await Self.names(port: try await proxy.listenerPort("ingress"), count: 60)
            #expect(names.allSatisfy { $0.hasPrefix("u") }, "\(names)")
            for u in ups { #expect(u.requests.count >= 8, "\(u.name): \(u.requests.count) of 60, \(names)") }
        }
        await Self.stop(ups)
    }

    @Test("RING_HASH and MAGLEV with a header hash_policy: the same key always reaches the same upstream",
          arguments: ["RING_HASH", "MAGLEV"])
    func headerHash(policy: String) async throws {
        let ups = try await Self.upstreams(3)
        let cluster = Self.cluster(localities: Self.locality(ups.map { Self.endpoint($0.port) }), extra: "lb_policy: \(policy)")
        let routes = EnvoyConfig.routeAll(to: "svc", routeExtra: "hash_policy:\n- header: { header_name: x-user }")
        try await TernProcess.with(config: Self.proxy(cluster: cluster, virtualHosts: routes)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            // 20 users, 3 requests each, interleaved.
            let names = try await Self.names(port: port, count: 60) { [("x-user", "user-\($0 % 20)")] }
            var owner: [Int: Set<String>] = [:]
            for (i, n) in names.enumerated() { owner[i % 20, default: []].insert(n) }
            #expect(owner.values.allSatisfy { $0.count == 1 }, "\(owner)")
            #expect(Set(names).count >= 2, "every user hashed to one upstream: \(names)")
            // A second connection agrees.
            let again = try await Self.names(port: port, count: 20) { [("x-user", "user-\($0)")] }
            #expect(again == Array(names.prefix(20)))
        }
        await Self.stop(ups)
    }

    @Test("RING_HASH by source_ip: each client address sticks to one upstream")
    func sourceIPHash() async throws {
        let ups = try await Self.upstreams(3)
        let cluster = Self.cluster(localities: Self.locality(ups.map { Self.endpoint($0.port) }), extra: "lb_policy: RING_HASH")
        let routes = EnvoyConfig.routeAll(to: "svc", routeExtra: "hash_policy:\n- connection_properties: { source_ip: true }")
        try await TernProcess.with(config: Self.proxy(cluster: cluster, virtualHosts: routes)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            var byAddress: [String: Set<String>] = [:]
            for round in 0..<2 {
                for n in 1...10 {
                    let source = "127.0.0.\(n)"
                    let r = try await Curl.request(port: port, "/ip\(round)", extra: ["--interface", source])
                    #expect(r.status == 200, "\(r)")
                    byAddress[source, default: []].insert(r.headers["x-upstream-name"] ?? "?")
                }
            }
            #expect(byAddress.values.allSatisfy { $0.count == 1 }, "\(byAddress)")
            #expect(Set(byAddress.values.flatMap { $0 }).count >= 2, "\(byAddress)")
        }
        await Self.stop(ups)
    }

    @Test("priority failover: P0 endpoints UNHEALTHY by health_status send every request to P1")
    func priorityFailover() async throws {
        let ups = try await Self.upstreams(3)
        let p0 = Self.locality([Self.endpoint(ups[0].port, extra: "health_status: UNHEALTHY"),
                                Self.endpoint(ups[1].port, extra: "health_status: DRAINING")])
        let p1 = Self.locality([Self.endpoint(ups[2].port)], extra: "priority: 1")
        try await TernProcess.with(config: Self.proxy(cluster: Self.cluster(localities: p0 + "\n" + p1))) { proxy in
            let names = try await Self.names(port: try await proxy.listenerPort("ingress"), count: 10)
            #expect(names == Array(repeating: "u2", count: 10))
            #expect(ups[0].requests.isEmpty && ups[1].requests.isEmpty)
            let clusters = try await proxy.admin.get("/clusters").bodyText
            #expect(clusters.contains("svc::127.0.0.1:\(ups[0].port)::health_flags::/failed_eds_health"), "\(clusters)")
        }
        await Self.stop(ups)
    }

    @Test("priority spill-over: P0 half healthy takes 70% and P1 30%")
    func prioritySpill() async throws {
        let ups = try await Self.upstreams(3)
        let p0 = Self.locality([Self.endpoint(ups[0].port, extra: "health_status: UNHEALTHY"), Self.endpoint(ups[1].port)])
        let p1 = Self.locality([Self.endpoint(ups[2].port)], extra: "priority: 1")
        try await TernProcess.with(config: Self.proxy(cluster: Self.cluster(localities: p0 + "\n" + p1))) { proxy in
            let names = try await Self.names(port: try await proxy.listenerPort("ingress"), count: 100)
            let p0Count = names.filter { $0 == "u1" }.count
            #expect(!names.contains("u0"))
            #expect((50...88).contains(p0Count), "P0 got \(p0Count) of 100")
        }
        await Self.stop(ups)
    }

    @Test("subsets: route metadata_match picks the upstream whose endpoint metadata matches")
    func subsetRouting() async throws {
        let ups = try await Self.upstreams(2)
        let meta = { (v: String) in "metadata: { filter_metadata: { envoy.lb: { version: \"\(v)\" } } }" }
        let cluster = Self.cluster(
            localities: Self.locality([Self.endpoint(ups[0].port, extra: meta("v1")), Self.endpoint(ups[1].port, extra: meta("v2"))]),
            extra: """
            lb_subset_config:
              fallback_policy: NO_FALLBACK
              subset_selectors:
              - keys: [version]
            """)
        let routes = """
        - name: all
          domains: ["*"]
          routes:
          - match: { prefix: "/", headers: [{ name: x-version, string_match: { exact: v2 } }] }
            route: { cluster: svc, metadata_match: { filter_metadata: { envoy.lb: { version: "v2" } } } }
          - match: { prefix: "/none" }
            route: { cluster: svc, metadata_match: { filter_metadata: { envoy.lb: { version: "v9" } } } }
          - match: { prefix: "/" }
            route: { cluster: svc, metadata_match: { filter_metadata: { envoy.lb: { version: "v1" } } } }
        """
        try await TernProcess.with(config: Self.proxy(cluster: cluster, virtualHosts: routes)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Self.names(port: port, count: 6) == Array(repeating: "u0", count: 6))
            #expect(try await Self.names(port: port, count: 6) { _ in [("x-version", "v2")] } == Array(repeating: "u1", count: 6))
            // No subset v9 and NO_FALLBACK: no healthy upstream.
            let none = try await Curl.get(port: port, "/none")
            #expect(none.status == 503, "\(none)")
            #expect(try await proxy.waitForStat("cluster.svc.lb_subsets_selected", atLeast: 12) == 12)
            let active = try await proxy.stat("cluster.svc.lb_subsets_active")
            let created = try await proxy.stat("cluster.svc.lb_subsets_created")
            if TestEnvironment.proxyUnderTest == .tern {
                // Tern builds subsets once per host-set publication and counts each once.
                #expect(active == 2 && created == 2, "active \(active), created \(created)")
            } else {
                // Envoy keeps a subset balancer per thread (workers and main), each counting its own.
                #expect(active > 0 && active % 2 == 0 && created == active, "active \(active), created \(created)")
            }
        }
        await Self.stop(ups)
    }

    @Test("locality_weighted_lb_config: localities weighted 1 and 3 take about a quarter and three quarters")
    func localityWeights() async throws {
        let ups = try await Self.upstreams(2)
        let localities = Self.locality([Self.endpoint(ups[0].port)], extra: "locality: { zone: a }\nload_balancing_weight: 1") + "\n"
            + Self.locality([Self.endpoint(ups[1].port)], extra: "locality: { zone: b }\nload_balancing_weight: 3")
        let cluster = Self.cluster(localities: localities, extra: "common_lb_config: { locality_weighted_lb_config: {} }")
        try await TernProcess.with(config: Self.proxy(cluster: cluster)) { proxy in
            let names = try await Self.names(port: try await proxy.listenerPort("ingress"), count: 80)
            let light = names.filter { $0 == "u0" }.count
            #expect((6...34).contains(light), "light locality got \(light) of 80")
            #expect(light + names.filter { $0 == "u1" }.count == 80)
        }
        await Self.stop(ups)
    }
}
