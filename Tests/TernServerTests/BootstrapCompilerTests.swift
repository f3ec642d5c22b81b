import NIOCore
import Testing
import TernConfig
import TernNetwork
import TernUpstream
@testable import TernServer

/// A full bootstrap compiles into the Snapshot the runtime expects, with Envoy's defaults.
@Suite struct BootstrapCompilerTests {
    static let full = """
        node: { id: sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local, cluster: reviews, locality: { zone: z1 } }
        admin:
          access_log_path: /dev/null
          address:
            socket_address: { address: 127.0.0.1, port_value: 15000 }
        static_resources:
          listeners:
          - name: ingress
            address:
              socket_address: { address: 0.0.0.0, port_value: 10000 }
            additional_addresses:
            - address:
                socket_address: { address: "::1", port_value: 10000 }
            filter_chains:
            - name: tls-port
              filter_chain_match:
                destination_port: 10000
                prefix_ranges: [{ address_prefix: 10.0.0.0, prefix_len: 8 }]
                source_ports: [1234]
              filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: in
                  cluster: web
            - name: http
              filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: ingress_http
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: { prefix: "/" }
                        route: { cluster: dns }
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          - address:
              socket_address: { address: 127.0.0.1, port_value: 10001 }
            stat_prefix: second
            enable_reuse_port: false
            per_connection_buffer_limit_bytes: 32768
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: second
                  cluster: dns
          clusters:
          - name: web
            connect_timeout: 0.25s
            type: STATIC
            lb_policy: ROUND_ROBIN
            alt_stat_name: web_stats
            load_assignment:
              cluster_name: web
              endpoints:
              - priority: 1
                lb_endpoints:
                - endpoint: { address: { socket_address: { address: 10.1.0.1, port_value: 80 } } }
                  load_balancing_weight: 3
                - endpoint: { address: { socket_address: { address: 10.1.0.2, port_value: 81 } } }
          - name: dns
            type: STRICT_DNS
            dns_lookup_family: V4_ONLY
            dns_refresh_rate: 10s
            respect_dns_ttl: true
            max_requests_per_connection: 100
            health_checks:
            - timeout: 1s
              interval: 5s
              healthy_threshold: 1
              unhealthy_threshold: 1
              tcp_health_check: {}
            typed_extension_protocol_options:
              envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                common_http_protocol_options: { idle_timeout: 30s }
                explicit_http_config: { http_protocol_options: {} }
            load_assignment:
              cluster_name: dns
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: backend.local, port_value: 8080 } } }
        """

    @Test func shape() throws {
        let snapshot = try Configs.compile(Self.full)
        #expect(snapshot.node == NodeInfo(id: "sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local", cluster: "reviews", zone: "z1"))
        #expect(snapshot.admin == AdminConfig(address: try SocketAddress(ipAddress: "127.0.0.1", port: 15000),
                                              accessLogPath: "/dev/null"))

        #expect(snapshot.clusters.map(\.name) == ["web", "dns"])
        let web = try #require(snapshot.cluster(named: "web"))
        #expect(web.statName == "web_stats")
        #expect(web.discovery == .staticHosts)
        #expect(web.connectTimeout == .milliseconds(250))
        #expect(web.dnsRefreshRate == .seconds(5))
        #expect(web.idleTimeout == .hours(1))
        #expect(web.maxRequestsPerConnection == nil)
        #expect(web.perConnectionBufferLimitBytes == 1_048_576)
        #expect(web.endpoints == [EndpointConfig(address: "10.1.0.1", port: 80, weight: 3, priority: 1),
                                  EndpointConfig(address: "10.1.0.2", port: 81, weight: 1, priority: 1)])
        let dns = try #require(snapshot.cluster(named: "dns"))
        #expect(dns.discovery == .strictDNS)
        #expect(dns.connectTimeout == .seconds(5))
        #expect(dns.dnsRefreshRate == .seconds(10))
        #expect(dns.dnsLookupFamily == .v4Only)
        #expect(dns.respectDNSTTL)
        #expect(dns.maxRequestsPerConnection == 100)
        #expect(dns.idleTimeout == .seconds(30))
        #expect(dns.health.healthCheck?.interval == .seconds(5), "health_checks is compiled, not warned about")

        #expect(snapshot.listeners.map(\.name) == ["ingress", "127.0.0.1_10001"])
        let ingress = try #require(snapshot.listener(named: "ingress"))
        #expect(ingress.addresses == [try SocketAddress(ipAddress: "0.0.0.0", port: 10000),
                                      try SocketAddress(ipAddress: "::1", port: 10000)])
        #expect(ingress.statPrefix == "0.0.0.0_10000")
        #expect(ingress.enableReusePort)
        #expect(ingress.filterChains.map(\.name) == ["tls-port", "http"])
        let match = ingress.filterChains[0].match
        #expect(match.destinationPort == 10000)
        #expect(match.prefixRanges == [CIDRRange(address: "10.0.0.0", prefixLength: 8)!])
        #expect(match.sourcePorts == [1234])
        #expect(ingress.filterChains.allSatisfy { $0.filters.count == 1 })
        let second = try #require(snapshot.listener(named: "127.0.0.1_10001"))
        #expect(second.statPrefix == "second")
        #expect(!second.enableReusePort)
        #expect(second.perConnectionBufferLimitBytes == 32768)
    }

    @Test func fingerprintsSeparateSocketsFromChains() throws {
        let a = try Configs.compile(Self.full)
        let same = try Configs.compile(Self.full)
        let chainChanged = try Configs.compile(Self.full.replacingOccurrences(of: "stat_prefix: in\n", with: "stat_prefix: in2\n"))
        let socketChanged = try Configs.compile(Self.full.replacingOccurrences(of: "address: 0.0.0.0, port_value: 10000",
                                                                               with: "address: 0.0.0.0, port_value: 10002"))
        let base = try #require(a.listener(named: "ingress"))
        #expect(same.listener(named: "ingress")?.fingerprint == base.fingerprint)
        #expect(same.cluster(named: "web")?.fingerprint == a.cluster(named: "web")?.fingerprint)
        let inPlace = try #require(chainChanged.listener(named: "ingress"))
        #expect(inPlace.fingerprint != base.fingerprint)
        #expect(inPlace.socketFingerprint == base.socketFingerprint)
        let moved = try #require(socketChanged.listener(named: "ingress"))
        #expect(moved.socketFingerprint != base.socketFingerprint)
    }

    @Test func unnamedListenersGetDistinctAddressNames() throws {
        let unnamed = """
              - address:
                  socket_address: { address: 127.0.0.1, port_value: 0 }
                filter_chains:
                - filters:
                  - name: test.greeter
            """
        let snapshot = try Configs.compile(Configs.bootstrap(listeners: [unnamed, unnamed]))
        #expect(snapshot.listeners.map(\.name) == ["127.0.0.1_0", "127.0.0.1_0_1"])
        #expect(snapshot.listeners.map(\.statPrefix) == ["127.0.0.1_0", "127.0.0.1_0"])
    }

    @Test func serviceFlagsOverrideNode() throws {
        var compiler = BootstrapCompiler(extensions: Configs.extensions)
        compiler.serviceNode = "n2"
        compiler.serviceZone = "z2"
        let snapshot = try SnapshotLoader(compiler: compiler, configPath: nil, configYAML: Self.full)
            .load(stats: .init(workers: 1))
        #expect(snapshot.node == NodeInfo(id: "n2", cluster: "reviews", zone: "z2"))
    }
}
