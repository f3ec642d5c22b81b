// Clusters as Envoy builds them: DNS discovery (STRICT_DNS, LOGICAL_DNS) of `localhost`, which
// resolves without a network; round robin with and without endpoint weights, counted per
// upstream (with one worker, Envoy's picks are deterministic); a per-connection request limit
// seen as connections at the upstream; and a refused connection seen as 503 with `UF` in the
// access log.

import Foundation
import Testing
import TernTestSupport

@Suite("Cluster discovery and load balancing", .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct ClusterDiscoveryTests {
    /// A cluster of `type` with one endpoint named `localhost` (IPv4 only: the upstreams listen on
    /// 127.0.0.1, and some machines also map localhost to ::1).
    static func dnsCluster(type: String, port: Int) -> String {
        """
        - name: svc
          type: \(type)
          connect_timeout: 1s
          dns_lookup_family: V4_ONLY
          load_assignment:
            cluster_name: svc
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: localhost, port_value: \(port) } } }
        """
    }

    static func proxy(cluster: String) -> String {
        EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: "svc"))],
                              clusters: [cluster])
    }

    /// Sends `count` GETs one after another on one keep-alive connection (reopened if the proxy
    /// closes it) and returns the responses.
    static func sequentialRequests(port: Int, count: Int) async throws -> [KeepAliveResponse] {
        var client = try await KeepAliveClient.connect(port: port)
        var responses: [KeepAliveResponse] = []
        for index in 0..<count {
            let response = try await client.request("GET", "/request-\(index)")
            responses.append(response)
            if response.closesConnection {
                await client.close()
                client = try await KeepAliveClient.connect(port: port)
            }
        }
        await client.close()
        return responses
    }

    @Test("a DNS cluster resolves localhost and reaches the upstream", arguments: ["STRICT_DNS", "LOGICAL_DNS"])
    func dnsDiscovery(type: String) async throws {
        let upstream = try await UpstreamServer.start(.echo, name: "dns")
        try await TernProcess.with(config: Self.proxy(cluster: Self.dnsCluster(type: type, port: upstream.port))) { proxy in
            // Envoy resolves static DNS clusters before it reports ready, so the first request works.
            let responses = try await Self.sequentialRequests(port: try await proxy.listenerPort("ingress"), count: 3)
            #expect(responses.map(\.status) == [200, 200, 200])
            #expect(responses.allSatisfy { $0.headers["x-upstream-name"] == "dns" })
            #expect(upstream.requests.count == 3)

            let clusters = try await proxy.admin.get("/clusters").bodyText
            #expect(clusters.contains("svc::127.0.0.1:\(upstream.port)::cx_total::"), "\(clusters)")
            #expect(clusters.contains("svc::127.0.0.1:\(upstream.port)::rq_total::3"), "\(clusters)")
            #expect(clusters.contains("svc::127.0.0.1:\(upstream.port)::hostname::localhost"), "\(clusters)")
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_200", atLeast: 3) == 3)
            #expect(try await proxy.stat("cluster.svc.membership_total") == 1)
        }
        await upstream.stop()
    }

    @Test("round robin over two STATIC endpoints alternates: 10 and 10 of 20 requests")
    func roundRobin() async throws {
        let first = try await UpstreamServer.start(.respond(body: "1"), name: "first")
        let second = try await UpstreamServer.start(.respond(body: "2"), name: "second")
        let config = Self.proxy(cluster: EnvoyConfig.staticCluster(name: "svc", ports: [first.port, second.port]))
        try await TernProcess.with(config: config) { proxy in
            let responses = try await Self.sequentialRequests(port: try await proxy.listenerPort("ingress"), count: 20)
            #expect(responses.allSatisfy { $0.status == 200 })
            let names = responses.map { $0.headers["x-upstream-name"] ?? "-" }
            #expect(first.requests.count == 10 && second.requests.count == 10, "\(names)")
            // Strict alternation: no upstream twice in a row.
            #expect(zip(names, names.dropFirst()).allSatisfy { $0 != $1 }, "\(names)")
        }
        await first.stop()
        await second.stop()
    }

    @Test("load_balancing_weight 1:3 splits 40 requests 10 and 30")
    func weightedRoundRobin() async throws {
        let light = try await UpstreamServer.start(.respond(body: "light"), name: "light")
        let heavy = try await UpstreamServer.start(.respond(body: "heavy"), name: "heavy")
        let cluster = """
            - name: svc
              type: STATIC
              connect_timeout: 1s
              load_assignment:
                cluster_name: svc
                endpoints:
                - lb_endpoints:
                  - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: \(light.port) } } }
                    load_balancing_weight: 1
                  - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: \(heavy.port) } } }
                    load_balancing_weight: 3
            """
        try await TernProcess.with(config: Self.proxy(cluster: cluster)) { proxy in
            let responses = try await Self.sequentialRequests(port: try await proxy.listenerPort("ingress"), count: 40)
            #expect(responses.allSatisfy { $0.status == 200 })
            // Envoy's weighted round robin (earliest deadline first) repeats a pattern of 4 picks,
            // so any 40 consecutive picks hold exactly 10 of the light endpoint.
            #expect(light.requests.count == 10 && heavy.requests.count == 30,
                    "light \(light.requests.count), heavy \(heavy.requests.count)")
            let clusters = try await proxy.admin.get("/clusters").bodyText
            #expect(clusters.contains("svc::127.0.0.1:\(heavy.port)::weight::3"), "\(clusters)")
        }
        await light.stop()
        await heavy.stop()
    }

    @Test("max_requests_per_connection 2: six sequential requests take three upstream connections")
    func maxRequestsPerConnection() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"), name: "limited")
        let options = """
            typed_extension_protocol_options:
              envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                common_http_protocol_options: { max_requests_per_connection: 2 }
                explicit_http_config: { http_protocol_options: {} }
            """
        let config = Self.proxy(cluster: EnvoyConfig.staticCluster(name: "svc", port: upstream.port, extra: options))
        try await TernProcess.with(config: config) { proxy in
            let responses = try await Self.sequentialRequests(port: try await proxy.listenerPort("ingress"), count: 6)
            #expect(responses.map(\.status) == Array(repeating: 200, count: 6))
            #expect(upstream.connectionCount == 3, "upstream connections: \(upstream.connectionCount)")
            #expect(upstream.requests.map(\.connection) == [1, 1, 2, 2, 3, 3])
            #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_total", atLeast: 3) == 3)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_max_requests", atLeast: 3) == 3)
        }
        await upstream.stop()
    }

    @Test("a refused connection gives 503 and UF with the host in the access log")
    func connectionRefused() async throws {
        let deadPort = try await UnusedPort.next()
        let logDir = try TemporaryDirectory(prefix: "cluster-log")
        let logFile = logDir.file("access.log")
        let accessLog = """
            access_log:
            - name: envoy.access_loggers.file
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: \(logFile.path)
                log_format:
                  text_format_source:
                    inline_string: "%RESPONSE_CODE% %RESPONSE_FLAGS% %UPSTREAM_HOST% %UPSTREAM_CLUSTER%\\n"
            """
        let config = EnvoyConfig.httpProxy(to: deadPort, hcmExtra: accessLog)
        try await TernProcess.with(config: config, extraArguments: ["--file-flush-interval-msec", "100"]) { proxy in
            let client = try await KeepAliveClient.connect(port: try await proxy.listenerPort("ingress"))
            let response = try await client.request("GET", "/refused")
            await client.close()
            #expect(response.status == 503)
            let lines = await TextFilePoller.waitForLines(logFile, count: 1)
            #expect(lines == ["503 UF 127.0.0.1:\(deadPort) svc"], "\(lines)")
            #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_connect_fail", atLeast: 1) >= 1)
        }
        logDir.remove()
    }
}
