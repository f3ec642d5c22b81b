// gRPC active health checking: `grpc_health_check` calls `grpc.health.v1.Health/Check` on a real
// grpcio health server over h2c. SERVING keeps a host healthy; NOT_SERVING, an unknown service
// (grpc-status NOT_FOUND) or a dead server mark it `/failed_active_hc`.

import Foundation
import Testing
import TernTestSupport

@Suite("gRPC active health checking", .requires(.curl, .python), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct GRPCHealthCheckTests {
    /// A cluster of `endpoints` (YAML `lb_endpoints` items) with a gRPC check every 100 ms.
    /// `http2_protocol_options` because Envoy refuses gRPC checks on a cluster that is not HTTP/2
    /// (Tern, with no HTTP/2 upstream yet, ignores it with a warning and checks over h2c anyway).
    static func cluster(_ name: String, endpoints: [String], grpc: String = "{}", http2: Bool = true,
                        healthCheckExtra: String = "") -> String {
        """
        - name: \(name)
          type: STATIC
          connect_timeout: 1s
        \(http2 ? "  http2_protocol_options: {}" : "")
          load_assignment:
            cluster_name: \(name)
            endpoints:
            - lb_endpoints:
        \(EnvoyConfig.indent(endpoints.joined(separator: "\n"), 6))
          health_checks:
          - timeout: 1s
            interval: 0.1s
            no_traffic_interval: 0.1s
            unhealthy_threshold: 1
            healthy_threshold: 1
        \(EnvoyConfig.indent(healthCheckExtra, 4))
            grpc_health_check: \(grpc)
        """
    }

    static func endpoint(port: Int, extra: String = "") -> String {
        "- endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: \(port) } }\(extra) }"
    }

    static func flags(_ proxy: TernProcess, _ cluster: String, _ port: Int) async throws -> String? {
        try await HealthCheckTests.healthFlags(proxy, cluster: cluster, port: port)
    }

    @Test("SERVING is healthy; NOT_SERVING, an unknown service_name and a killed server are not")
    func servingStatusDecides() async throws {
        let server = try await PythonGRPCHealthServer.start(["": .serving, "tern.Echo": .serving])
        let port = server.port
        let config = EnvoyConfig.bootstrap(listeners: [], clusters: [
            Self.cluster("whole", endpoints: [Self.endpoint(port: port)]),
            Self.cluster("named", endpoints: [Self.endpoint(port: port)],
                         grpc: "{ service_name: tern.Echo, initial_metadata: [{ header: { key: x-tern-check, value: named } }] }"),
            Self.cluster("unknown", endpoints: [Self.endpoint(port: port)], grpc: "{ service_name: no.Such }"),
        ])
        try await TernProcess.with(config: config) { proxy async throws in
            #expect(try await waitUntil(timeout: .seconds(30)) {
                let whole = try await Self.flags(proxy, "whole", port)
                let named = try await Self.flags(proxy, "named", port)
                let unknown = try await Self.flags(proxy, "unknown", port)
                return whole == "healthy" && named == "healthy" && unknown == "/failed_active_hc"
            })
            let checks = server.checks
            #expect(Set(checks.map(\.service)).isSuperset(of: ["", "tern.Echo", "no.Such"]), "service_name is the request's service")
            #expect(checks.filter { $0.service == "tern.Echo" }.allSatisfy { $0.metadata["x-tern-check"] == "named" },
                    "initial_metadata is sent with every call")
            #expect(try await proxy.waitForStat("cluster.unknown.health_check.failure", atLeast: 1) >= 1)
            #expect(try await proxy.stat("cluster.unknown.health_check.network_failure") == 0,
                    "an answered check that fails is not a network failure")

            try server.set(["": .serving, "tern.Echo": .notServing])
            #expect(try await waitUntil(timeout: .seconds(30)) {
                try await Self.flags(proxy, "named", port) == "/failed_active_hc"
            })
            #expect(try await Self.flags(proxy, "whole", port) == "healthy", "only the named service went down")

            try server.set(["": .serving, "tern.Echo": .serving])
            #expect(try await waitUntil(timeout: .seconds(30)) {
                try await Self.flags(proxy, "named", port) == "healthy"
            })
            #expect(try await proxy.waitForStat("cluster.named.health_check.success", atLeast: 2) >= 2)
            // reuse_connection (default true): all of one host's checks share one HTTP/2 connection.
            let whole = server.checks.filter { $0.service == "" }
            #expect(whole.count >= 3)
            #expect(Set(whole.map(\.peer)).count == 1, "checks reuse the connection: \(Set(whole.map(\.peer)))")

            await server.kill()
            #expect(try await waitUntil(timeout: .seconds(30)) {
                try await Self.flags(proxy, "whole", port) == "/failed_active_hc"
            })
            #expect(try await proxy.waitForStat("cluster.whole.health_check.network_failure", atLeast: 1) >= 1)
        }
        await server.stop()
    }

    @Test("reuse_connection: false opens a new connection for every check")
    func noReuse() async throws {
        let server = try await PythonGRPCHealthServer.start()
        let config = EnvoyConfig.bootstrap(listeners: [], clusters: [
            Self.cluster("fresh", endpoints: [Self.endpoint(port: server.port)], healthCheckExtra: "reuse_connection: false"),
        ])
        try await TernProcess.with(config: config) { proxy async throws in
            #expect(await waitUntil(timeout: .seconds(30)) { server.checks.count >= 4 })
            let checks = server.checks
            #expect(Set(checks.map(\.peer)).count == checks.count, "one connection per check")
            #expect(try await Self.flags(proxy, "fresh", server.port) == "healthy")
        }
        await server.stop()
    }

    @Test("a server that accepts but never answers fails the check at its timeout")
    func timeout() async throws {
        let silent = try await SilentServer.start()
        let config = EnvoyConfig.bootstrap(listeners: [], clusters: [
            Self.cluster("silent", endpoints: [Self.endpoint(port: silent.port)]),
        ])
        try await TernProcess.with(config: config) { proxy async throws in
            #expect(try await proxy.waitForStat("cluster.silent.health_check.failure", atLeast: 2) >= 2)
            #expect(silent.connectionCount >= 1)
            #expect(try await proxy.stat("cluster.silent.health_check.network_failure") >= 1, "a timeout is a network failure")
            let flags = try await Self.flags(proxy, "silent", silent.port)
            #expect(flags?.hasPrefix("/failed_active_hc") == true, "flags: \(flags ?? "none")")
            #expect(flags == "/failed_active_hc/active_hc_timeout")
        }
        await silent.stop()
    }

    @Test("a GOAWAY or RST_STREAM is a network failure; a non-200 :status an active one",
          arguments: [ScriptedHTTP2Server.Answer.goAway(errorCode: 2), .reset(errorCode: 2), .status500])
    func protocolFailures(answer: ScriptedHTTP2Server.Answer) async throws {
        let server = try await ScriptedHTTP2Server.start(answer)
        let config = EnvoyConfig.bootstrap(listeners: [], clusters: [
            Self.cluster("scripted", endpoints: [Self.endpoint(port: server.port)]),
        ])
        try await TernProcess.with(config: config) { proxy async throws in
            #expect(try await proxy.waitForStat("cluster.scripted.health_check.failure", atLeast: 2, timeout: .seconds(20)) >= 2)
            #expect(server.answeredCount >= 2, "each check reached the server")
            let network = try await proxy.stat("cluster.scripted.health_check.network_failure")
            if case .status500 = answer {
                #expect(network == 0, "the host answered")
            } else {
                #expect(network >= 2)
            }
            #expect(try await proxy.stat("cluster.scripted.health_check.success") == 0)
            #expect(try await Self.flags(proxy, "scripted", server.port) == "/failed_active_hc")
        }
        await server.stop()
    }

    @Test("a host whose gRPC check says NOT_SERVING gets no traffic; health_check_config.port_value points the check",
          .ternOnly)
    func trafficAvoidsNotServingHost() async throws {
        // Tern-only: Envoy needs an HTTP/2 cluster for gRPC checks and would then send the traffic
        // over HTTP/2, which these HTTP/1.1 upstreams do not speak.
        let grpc = try await PythonGRPCHealthServer.start(["": .notServing])
        let checked = try await UpstreamServer.start(name: "checked")
        let other = try await UpstreamServer.start(name: "other")
        checked.behavior = .respond(body: "checked")
        other.behavior = .respond(body: "other")
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: "svc"))],
            clusters: [Self.cluster("svc", endpoints: [
                Self.endpoint(port: checked.port, extra: ", health_check_config: { port_value: \(grpc.port) }"),
                Self.endpoint(port: other.port, extra: ", health_check_config: { disable_active_health_check: true }"),
            ], http2: false)])
        try await TernProcess.with(config: config) { proxy async throws in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await waitUntil(timeout: .seconds(30)) {
                try await Self.flags(proxy, "svc", checked.port) == "/failed_active_hc"
            })
            // New hosts start failed; a counted failure shows the check itself said NOT_SERVING.
            #expect(try await proxy.waitForStat("cluster.svc.health_check.failure", atLeast: 1) >= 1)
            #expect(try await proxy.stat("cluster.svc.health_check.network_failure") == 0)
            for _ in 0..<6 {
                #expect(try await Curl.get(port: port, "/x").bodyText == "other")
            }
            #expect(checked.requests.isEmpty, "the check went to the gRPC port, traffic to the other host")

            try grpc.set(["": .serving])
            #expect(try await waitUntil(timeout: .seconds(30)) {
                try await Self.flags(proxy, "svc", checked.port) == "healthy"
            })
            var bodies = Set<String>()
            for _ in 0..<6 { bodies.insert(try await Curl.get(port: port, "/x").bodyText) }
            #expect(bodies == ["checked", "other"], "both hosts take traffic again")
        }
        await grpc.stop()
        await checked.stop()
        await other.stop()
    }
}
