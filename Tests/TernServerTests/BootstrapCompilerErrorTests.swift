import Testing
import TernConfig
@testable import TernServer

/// Compile errors name the exact field path, as Envoy's validation does.
@Suite struct BootstrapCompilerErrorTests {
    @Test func duplicateListenerName() throws {
        let yaml = Configs.bootstrap(listeners: [Configs.greeterListener(name: "a", port: 10001),
                                                 Configs.greeterListener(name: "a", port: 10002)])
        let error = try #require(Configs.error(yaml))
        #expect(error.path == "static_resources.listeners[1].name")
        #expect(error.message.contains("duplicate listener name 'a'"))
    }

    @Test func portOutOfRange() throws {
        let yaml = Configs.bootstrap(listeners: [Configs.greeterListener(name: "a", port: 70000)])
        let error = try #require(Configs.error(yaml))
        #expect(error.path == "static_resources.listeners[0].address.socket_address.port_value")
    }

    @Test func tcpProxyToUndefinedCluster() throws {
        let yaml = Configs.bootstrap(listeners: [Configs.tcpProxyListener(name: "t", cluster: "nowhere")],
                                     clusters: [Configs.staticCluster(name: "backend")])
        let error = try #require(Configs.error(yaml))
        #expect(error.path == "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.cluster")
        #expect(error.message.contains("nowhere"))
    }

    @Test func unknownFilterType() throws {
        // The loader knows TcpProxy; an extension set without tcp_proxy does not.
        let withoutTCPProxy = ExtensionSet(networkFilters: [GreeterFactory.registration])
        let yaml = Configs.bootstrap(listeners: [Configs.tcpProxyListener(name: "t", cluster: "backend")],
                                     clusters: [Configs.staticCluster(name: "backend")])
        let error = try #require(Configs.error(yaml, extensions: withoutTCPProxy))
        #expect(error.path == "static_resources.listeners[0].filter_chains[0].filters[0].typed_config")
        #expect(error.message.contains("type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"))
    }

    @Test func unknownFilterName() throws {
        let listener = """
              - name: a
                address:
                  socket_address: { address: 127.0.0.1, port_value: 0 }
                filter_chains:
                - filters:
                  - name: envoy.filters.network.redis_proxy
            """
        let error = try #require(Configs.error(Configs.bootstrap(listeners: [listener])))
        #expect(error.path == "static_resources.listeners[0].filter_chains[0].filters[0].name")
    }

    @Test func duplicateClusterName() throws {
        let yaml = Configs.bootstrap(listeners: [], clusters: [Configs.staticCluster(name: "c"), Configs.staticCluster(name: "c")])
        let error = try #require(Configs.error(yaml))
        #expect(error.path == "static_resources.clusters[1].name")
    }

    @Test func twoListenersOnOneAddress() throws {
        let yaml = Configs.bootstrap(listeners: [Configs.greeterListener(name: "a", port: 10001),
                                                 Configs.greeterListener(name: "b", port: 10001)])
        let error = try #require(Configs.error(yaml))
        #expect(error.path == "static_resources.listeners[1].address")
        #expect(error.message.contains("'a'"))
    }

    @Test func listenerWithoutFilterChains() throws {
        let listener = """
              - name: a
                address:
                  socket_address: { address: 127.0.0.1, port_value: 0 }
            """
        let error = try #require(Configs.error(Configs.bootstrap(listeners: [listener])))
        #expect(error.path == "static_resources.listeners[0].filter_chains")
    }

    @Test func edsWithoutControlPlane() throws {
        let cluster = """
              - name: e
                type: EDS
                eds_cluster_config: { service_name: e }
            """
        let error = try #require(Configs.error(Configs.bootstrap(listeners: [], clusters: [cluster])))
        #expect(error.path == "static_resources.clusters[0].type")
    }

    @Test func pipeListenerAddress() throws {
        let listener = """
              - name: a
                address:
                  pipe: { path: /tmp/tern.sock }
                filter_chains:
                - filters:
                  - name: test.greeter
            """
        let error = try #require(Configs.error(Configs.bootstrap(listeners: [listener])))
        #expect(error.path == "static_resources.listeners[0].address.pipe")
        #expect(error.message.contains("not supported yet"))
    }

    @Test func staticClusterWithHostname() throws {
        let cluster = Configs.staticCluster(name: "c").replacingOccurrences(of: "address: 127.0.0.1", with: "address: example.com")
        let error = try #require(Configs.error(Configs.bootstrap(listeners: [], clusters: [cluster])))
        #expect(error.path
            == "static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address")
    }
}
