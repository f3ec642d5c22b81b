import Testing
import TernConfig
import TernUpstream
@testable import TernServer

/// The cluster's load-balancing config compiles with Envoy's defaults and rejects what Envoy
/// rejects, naming the field.
@Suite struct LoadBalancerCompilerTests {
    /// A STATIC cluster `c` with `extra` cluster fields (indented at 4) and two endpoints.
    static func cluster(_ extra: String, endpoints: String? = nil) -> String {
        """
          - name: c
            connect_timeout: 0.25s
            type: STATIC
        \(extra)
            load_assignment:
              cluster_name: c
        \(endpoints ?? """
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 8080 } } }
        """)
        """
    }

    static func compile(_ extra: String, endpoints: String? = nil) throws -> (ClusterConfig, Snapshot) {
        let snapshot = try Configs.compile(Configs.bootstrap(listeners: [], clusters: [cluster(extra, endpoints: endpoints)]))
        return (try #require(snapshot.cluster(named: "c")), snapshot)
    }

    static func error(_ extra: String) -> CompileError? {
        Configs.error(Configs.bootstrap(listeners: [], clusters: [cluster(extra)]))
    }

    @Test func defaults() throws {
        let (c, snapshot) = try Self.compile("")
        #expect(c.lb.policy == .roundRobin)
        #expect(c.lb.healthyPanicThreshold == 50)
        #expect(c.lb.overprovisioningFactor == 140)
        #expect(!c.lb.localityWeighted)
        #expect(c.lb.subset == nil)
        #expect(snapshot.warnings.isEmpty)
    }

    @Test func policiesAndTheirConfigs() throws {
        #expect(try Self.compile("    lb_policy: LEAST_REQUEST").0.lb.policy == .leastRequest(choiceCount: 2))
        #expect(try Self.compile("    lb_policy: LEAST_REQUEST\n    least_request_lb_config: { choice_count: 4 }").0.lb.policy
                == .leastRequest(choiceCount: 4))
        #expect(try Self.compile("    lb_policy: RANDOM").0.lb.policy == .random)
        #expect(try Self.compile("    lb_policy: RING_HASH").0.lb.policy == .ringHash(minimumRingSize: 1024, maximumRingSize: 8_388_608))
        #expect(try Self.compile("    lb_policy: RING_HASH\n    ring_hash_lb_config: { minimum_ring_size: 64, maximum_ring_size: 128 }")
                .0.lb.policy == .ringHash(minimumRingSize: 64, maximumRingSize: 128))
        #expect(try Self.compile("    lb_policy: MAGLEV").0.lb.policy == .maglev(tableSize: 65537))
        #expect(try Self.compile("    lb_policy: MAGLEV\n    maglev_lb_config: { table_size: 251 }").0.lb.policy == .maglev(tableSize: 251))
    }

    @Test func commonLbConfigAndOverprovisioning() throws {
        let (c, _) = try Self.compile("    common_lb_config: { healthy_panic_threshold: { value: 25 }, locality_weighted_lb_config: {} }",
                                      endpoints: """
              policy: { overprovisioning_factor: 200 }
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 8080 } } }
                  health_status: DRAINING
                  metadata: { filter_metadata: { envoy.lb: { version: "v1", canary: true } } }
                load_balancing_weight: 7
                priority: 2
        """)
        #expect(c.lb.healthyPanicThreshold == 25)
        #expect(c.lb.localityWeighted)
        #expect(c.lb.overprovisioningFactor == 200)
        let ep = try #require(c.endpoints.first)
        #expect(ep.edsUnhealthy)
        #expect(ep.localityWeight == 7)
        #expect(ep.priority == 2)
        #expect(ep.metadata == ["version": .string("v1"), "canary": .bool(true)])
    }

    @Test func localitiesAreTheirRegionZoneAndSubZone() throws {
        let (c, _) = try Self.compile("", endpoints: """
              endpoints:
              - locality: { zone: a }
                lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 1 } } } }]
              - locality: { zone: b }
                lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 2 } } } }]
              - locality: { zone: a }
                lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 3 } } } }]
        """)
        #expect(c.endpoints.map(\.locality) == [0, 1, 0])
    }

    @Test func subsetConfig() throws {
        let (c, _) = try Self.compile("""
            lb_subset_config:
              fallback_policy: DEFAULT_SUBSET
              default_subset: { stage: prod }
              subset_selectors: [{ keys: [version, stage] }]
        """)
        let subset = try #require(c.lb.subset)
        #expect(subset.selectors == [["stage", "version"]])
        #expect(subset.fallback == .defaultSubset(["stage": .string("prod")]))
    }

    @Test func errorsNameTheField() throws {
        let maglev = try #require(Self.error("    lb_policy: MAGLEV\n    maglev_lb_config: { table_size: 65536 }"))
        #expect(maglev.path == "static_resources.clusters[0].maglev_lb_config.table_size")
        #expect(maglev.message.contains("prime"))
        let ring = try #require(Self.error("    lb_policy: RING_HASH\n    ring_hash_lb_config: { minimum_ring_size: 2048, maximum_ring_size: 1024 }"))
        #expect(ring.path == "static_resources.clusters[0].ring_hash_lb_config.minimum_ring_size")
        let murmur = try #require(Self.error("    lb_policy: RING_HASH\n    ring_hash_lb_config: { hash_function: MURMUR_HASH_2 }"))
        #expect(murmur.path == "static_resources.clusters[0].ring_hash_lb_config.hash_function")
        let choices = try #require(Self.error("    lb_policy: LEAST_REQUEST\n    least_request_lb_config: { choice_count: 1 }"))
        #expect(choices.path == "static_resources.clusters[0].least_request_lb_config.choice_count")
        let keys = try #require(Self.error("    lb_subset_config: { subset_selectors: [{ keys: [] }] }"))
        #expect(keys.path == "static_resources.clusters[0].lb_subset_config.subset_selectors[0].keys")
        let panic = try #require(Self.error("    common_lb_config: { healthy_panic_threshold: { value: 120 } }"))
        #expect(panic.path == "static_resources.clusters[0].common_lb_config.healthy_panic_threshold.value")
    }

    @Test func configForAnotherPolicyWarns() throws {
        let (_, snapshot) = try Self.compile("    lb_policy: RANDOM\n    maglev_lb_config: { table_size: 251 }")
        #expect(snapshot.warnings.contains { $0.path == "static_resources.clusters[0].maglev_lb_config" })
    }
}
