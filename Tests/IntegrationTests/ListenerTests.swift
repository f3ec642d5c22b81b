// Listeners as Envoy runs them: several in one process, each with its own filter chain and
// `listener.<stat_prefix>.*` stats; an IPv6 listener on ::1; filter chain selection by destination
// port across `additional_addresses`; and `default_filter_chain` for connections no chain matches
// (without it such a connection is closed and counted as `no_filter_chain_match`).

import Foundation
import Testing
import TernTestSupport

@Suite("Listeners", .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct ListenerTests {
    /// An HCM filter answering every request with 200 and `body` (a YAML list item, column 0).
    static func directResponseHCM(statPrefix: String, body: String) -> String {
        """
        - name: envoy.filters.network.http_connection_manager
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
            stat_prefix: \(statPrefix)
            route_config:
              virtual_hosts:
              - name: all
                domains: ["*"]
                routes:
                - match: { prefix: "/" }
                  direct_response: { status: 200, body: { inline_string: "\(body)" } }
            http_filters:
            - name: envoy.filters.http.router
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        """
    }

    /// An HCM filter sending every request to `cluster` (a YAML list item, column 0).
    static func routingHCM(statPrefix: String, cluster: String) -> String {
        """
        - name: envoy.filters.network.http_connection_manager
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
            stat_prefix: \(statPrefix)
            route_config:
              virtual_hosts:
        \(EnvoyConfig.indent(EnvoyConfig.routeAll(to: cluster), 6))
            http_filters:
            - name: envoy.filters.http.router
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        """
    }

    /// One GET on a fresh connection to `host:port`; the response, or nil when the connection
    /// closed without one.
    static func get(host: String = "127.0.0.1", port: Int, _ path: String = "/") async throws -> HTTPResponse? {
        let connection = try await RawConnection.connect(host: host, port: port)
        try await connection.send("GET \(path) HTTP/1.1\r\nhost: listener.test\r\nconnection: close\r\n\r\n")
        let read = try await connection.readUntilClose(timeout: .seconds(10))
        await connection.close()
        return read.responses.first
    }

    @Test("an HTTP and a TCP listener in one process both serve and count their connections")
    func twoListeners() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "via http"), name: "web")
        let echo = try await TCPEchoServer.start()
        let http = """
            - name: web
              stat_prefix: web
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
              - filters:
            \(EnvoyConfig.indent(Self.routingHCM(statPrefix: "web", cluster: "svc"), 4))
            """
        let tcp = """
            - name: raw
              stat_prefix: raw
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
              - filters:
                - name: envoy.filters.network.tcp_proxy
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                    stat_prefix: raw
                    cluster: echo
            """
        let config = EnvoyConfig.bootstrap(
            listeners: [http, tcp],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream.port),
                       EnvoyConfig.staticCluster(name: "echo", port: echo.port)])
        try await TernProcess.with(config: config) { proxy in
            let ports = try await proxy.listenerPorts()
            let webPort = try #require(ports["web"], "\(ports)")
            let rawPort = try #require(ports["raw"], "\(ports)")
            #expect(webPort != rawPort)

            for index in 0..<2 {
                let response = try await Self.get(port: webPort, "/\(index)")
                #expect(response?.status == 200 && response?.bodyText == "via http", "\(String(describing: response))")
            }
            for index in 0..<3 {
                let connection = try await RawConnection.connect(port: rawPort)
                try await connection.send("tcp \(index)")
                try await connection.shutdownWrite()
                let read = try await connection.readUntilClose()
                await connection.close()
                #expect(read.text == "tcp \(index)")
            }
            #expect(try await proxy.waitForStat("listener.web.downstream_cx_total", atLeast: 2) == 2)
            #expect(try await proxy.waitForStat("listener.raw.downstream_cx_total", atLeast: 3) == 3)
            #expect(try await proxy.waitForStat("http.web.downstream_rq_2xx", atLeast: 2) == 2)
            #expect(try await proxy.waitForStat("tcp.raw.downstream_cx_total", atLeast: 3) == 3)
        }
        await upstream.stop()
        await echo.stop()
    }

    @Test("a listener on [::1] port 0 serves", .requiresIPv6Loopback)
    func ipv6Listener() async throws {
        #expect(await LoopbackIPv6.isAvailable(), "::1 cannot be bound on this machine")
        let listener = """
            - name: v6
              address:
                socket_address: { address: "::1", port_value: 0 }
              filter_chains:
              - filters:
            \(EnvoyConfig.indent(Self.directResponseHCM(statPrefix: "v6", body: "over v6"), 4))
            """
        let config = EnvoyConfig.bootstrap(listeners: [listener], clusters: [])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("v6")
            let response = try await Self.get(host: "::1", port: port)
            #expect(response?.status == 200 && response?.bodyText == "over v6", "\(String(describing: response))")
            let listeners = try await proxy.admin.get("/listeners").bodyText
            #expect(listeners.contains("v6::[::1]:\(port)"), "\(listeners)")
            // Without a stat_prefix the listener's stats are named after its configured address.
            #expect(try await proxy.waitForStat("listener.[__1]_0.downstream_cx_total", atLeast: 1) == 1)
        }
    }

    @Test("filter chains chosen by destination_port across additional_addresses")
    func destinationPortSelection() async throws {
        // The kernel picks two free ports (bound and released at once); the listener binds both.
        let first = try UnusedPort.forBinding()
        var second = try UnusedPort.forBinding()
        while second == first { second = try UnusedPort.forBinding() }
        let listener = """
            - name: multi
              stat_prefix: multi
              address:
                socket_address: { address: 127.0.0.1, port_value: \(first) }
              additional_addresses:
              - address:
                  socket_address: { address: 127.0.0.1, port_value: \(second) }
              filter_chains:
              - filter_chain_match: { destination_port: \(first) }
                filters:
            \(EnvoyConfig.indent(Self.directResponseHCM(statPrefix: "first", body: "first chain"), 4))
              - filter_chain_match: { destination_port: \(second) }
                filters:
            \(EnvoyConfig.indent(Self.directResponseHCM(statPrefix: "second", body: "second chain"), 4))
            """
        let config = EnvoyConfig.bootstrap(listeners: [listener], clusters: [])
        try await TernProcess.with(config: config) { proxy in
            let toFirst = try await Self.get(port: first)
            let toSecond = try await Self.get(port: second)
            #expect(toFirst?.bodyText == "first chain", "\(String(describing: toFirst))")
            #expect(toSecond?.bodyText == "second chain", "\(String(describing: toSecond))")
            #expect(try await proxy.waitForStat("http.first.downstream_rq_total", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.second.downstream_rq_total", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("listener.multi.downstream_cx_total", atLeast: 2) == 2)
        }
    }

    @Test("a connection no chain matches goes to default_filter_chain")
    func defaultFilterChain() async throws {
        // Plain HTTP carries no SNI, so the chain that wants server name a.example never matches.
        let listener = """
            - name: sni
              stat_prefix: sni
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
              - filter_chain_match: { server_names: ["a.example"] }
                filters:
            \(EnvoyConfig.indent(Self.directResponseHCM(statPrefix: "named", body: "named chain"), 4))
              default_filter_chain:
                filters:
            \(EnvoyConfig.indent(Self.directResponseHCM(statPrefix: "fallback", body: "default chain"), 4))
            """
        try await TernProcess.with(config: EnvoyConfig.bootstrap(listeners: [listener], clusters: [])) { proxy in
            let response = try await Self.get(port: try await proxy.listenerPort("sni"))
            #expect(response?.status == 200 && response?.bodyText == "default chain", "\(String(describing: response))")
            #expect(try await proxy.waitForStat("http.fallback.downstream_rq_total", atLeast: 1) == 1)
            #expect(try await proxy.stat("listener.sni.no_filter_chain_match") == 0)
        }
    }

    @Test("without a default chain an unmatched connection is closed and counted as no_filter_chain_match")
    func noFilterChainMatch() async throws {
        let listener = """
            - name: sni
              stat_prefix: sni
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
              - filter_chain_match: { server_names: ["a.example"] }
                filters:
            \(EnvoyConfig.indent(Self.directResponseHCM(statPrefix: "named", body: "named chain"), 4))
            """
        try await TernProcess.with(config: EnvoyConfig.bootstrap(listeners: [listener], clusters: [])) { proxy in
            let response = try await Self.get(port: try await proxy.listenerPort("sni"))
            #expect(response == nil, "an unmatched connection got an answer: \(String(describing: response))")
            #expect(try await proxy.waitForStat("listener.sni.no_filter_chain_match", atLeast: 1) == 1)
            #expect(try await proxy.stat("http.named.downstream_rq_total") == 0)
        }
    }
}
