// gRPC requests answered by the proxy itself: a missing route or cluster, a dead upstream, a
// direct response and the route timeout come back as trailers-only gRPC answers (HTTP 200,
// grpc-status mapped from the HTTP status as Envoy's httpToGrpcStatus does, the body as
// grpc-message), so a real grpcio client sees a gRPC status rather than an HTTP error. The
// upstreams here are HTTP/1.1 or absent: the proxy answers before any gRPC server would.
// Every expectation was checked against Envoy 1.40 (TERN_TEST_PROXY=envoy).

import Foundation
import Testing
import TernTestSupport

@Suite("gRPC local replies", .requires(.python), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct GRPCErrorReplyTests {
    static let flushArguments = ["--file-flush-interval-msec", "100"]

    /// Listener "ingress" with `routes` (a YAML list) in one virtual host, cluster "svc" at
    /// `port`, and, when `accessLog` is set, a file access log of
    /// `%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%`.
    static func config(port: Int, routes: String, accessLog: URL? = nil) -> String {
        var hcm = ""
        if let accessLog {
            hcm = """
            access_log:
            - name: envoy.access_loggers.file
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: \(accessLog.path)
                log_format: { text_format_source: { inline_string: "%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n" } }
            """
        }
        let vhost = """
        - name: all
          domains: ["*"]
          routes:
        \(EnvoyConfig.indent(routes, 2))
        """
        return EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: vhost, hcmExtra: hcm)],
                                     clusters: [EnvoyConfig.staticCluster(name: "svc", port: port)])
    }

    @Test("a cluster that does not exist: UNAVAILABLE, no message")
    func missingCluster() async throws {
        let routes = #"- { match: { prefix: "/" }, route: { cluster_header: x-no-such-header } }"#
        try await TernProcess.with(config: Self.config(port: try await UnusedPort.next(), routes: routes)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let result = try await GRPCClient.call(port: port, GRPCCall("Unary"))
            #expect(result.code == "UNAVAILABLE", "\(result)")
            #expect(result.details == "")
            #expect(try await proxy.waitForStat("http.ingress.no_cluster", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_2xx", atLeast: 1) == 1,
                    "a trailers-only answer is HTTP 200 to the stats too")
            #expect(try await proxy.stat("http.ingress.downstream_rq_5xx") == 0)
        }
    }

    @Test("a dead upstream: UNAVAILABLE with Envoy's reset text; the access log says 200 UF")
    func deadUpstream() async throws {
        let dir = try TemporaryDirectory(prefix: "grpc-log")
        defer { dir.remove() }
        let log = dir.file("access.log")
        let routes = #"- { match: { prefix: "/" }, route: { cluster: svc } }"#
        let config = Self.config(port: try await UnusedPort.next(), routes: routes, accessLog: log)
        try await TernProcess.with(config: config, extraArguments: Self.flushArguments) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let results = try await GRPCClient.run(port: port, [GRPCCall("Unary"), GRPCCall("Bidi", sizes: [5, 6])])
            for result in results {
                #expect(result.code == "UNAVAILABLE", "\(result)")
                #expect(result.details == "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure")
                #expect(result.sizes.isEmpty)
            }
            let lines = await TextFilePoller.waitForLines(log, count: 2)
            #expect(lines.count == 2)
            for line in lines {
                #expect(line.hasPrefix("200 UF upstream_reset_before_response_started{remote_connection_failure"), "\(line)")
            }
        }
    }

    @Test("no route: UNIMPLEMENTED")
    func noRoute() async throws {
        let routes = #"- { match: { prefix: "/other.Service/" }, route: { cluster: svc } }"#
        try await TernProcess.with(config: Self.config(port: try await UnusedPort.next(), routes: routes)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let result = try await GRPCClient.call(port: port, GRPCCall("Unary"))
            #expect(result.code == "UNIMPLEMENTED", "\(result)")
            #expect(result.details == "")
            #expect(try await proxy.waitForStat("http.ingress.no_route", atLeast: 1) == 1)
        }
    }

    @Test("a direct_response: its status mapped, its body the (percent-encoded) message")
    func directResponse() async throws {
        let routes = """
        - match: { prefix: "/tern.Echo/Unary" }
          direct_response: { status: 503, body: { inline_string: "down for ~maintenance: 100%" } }
        - match: { prefix: "/tern.Echo/Bidi" }
          direct_response: { status: 403, body: { inline_string: "go away" } }
        - match: { prefix: "/tern.Echo/ClientStream" }
          direct_response: { status: 401 }
        - match: { prefix: "/" }
          direct_response: { status: 418, body: { inline_string: "teapot" } }
        """
        try await TernProcess.with(config: Self.config(port: try await UnusedPort.next(), routes: routes)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let results = try await GRPCClient.run(port: port, [
                GRPCCall("Unary"), GRPCCall("Bidi"), GRPCCall("ClientStream"), GRPCCall("ServerStream"),
            ])
            #expect(results.map(\.code) == ["UNAVAILABLE", "PERMISSION_DENIED", "UNAUTHENTICATED", "UNKNOWN"], "\(results)")
            #expect(results.map(\.details) == ["down for ~maintenance: 100%", "go away", "", "teapot"])
        }
    }

    @Test("the route timeout: UNAVAILABLE 'upstream request timeout' (504 mapped, as Envoy answers)")
    func routeTimeout() async throws {
        let upstream = try await UpstreamServer.start(.hang)
        let routes = #"- { match: { prefix: "/" }, route: { cluster: svc, timeout: 0.3s } }"#
        try await TernProcess.with(config: Self.config(port: upstream.port, routes: routes)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let results = try await GRPCClient.run(port: port, [
                GRPCCall("Unary"), GRPCCall("ServerStream", timeout: 10),
            ])
            for result in results {
                #expect(result.code == "UNAVAILABLE", "\(result)")
                #expect(result.details == "upstream request timeout")
            }
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_timeout", atLeast: 2) == 2)
            #expect(try await proxy.stat("http.ingress.downstream_rq_2xx") == 2)
        }
        await upstream.stop()
    }

    @Test("an RBAC denial: PERMISSION_DENIED 'RBAC: access denied'")
    func rbacDenied() async throws {
        let rbac = "rules: { action: DENY, policies: { all: { permissions: [{ any: true }], principals: [{ any: true }] } } }"
        let config = RBACTests.config(upstreamPort: try await UnusedPort.next(), rbac: rbac)
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let result = try await GRPCClient.call(port: port, GRPCCall("Unary"))
            #expect(result.code == "PERMISSION_DENIED", "\(result)")
            #expect(result.details == "RBAC: access denied")
        }
    }

    @Test("the local rate limit: UNAVAILABLE 'local_rate_limited' (429 mapped)")
    func rateLimited() async throws {
        let config = LocalRateLimitTests.config(upstreamPort: try await UnusedPort.next(),
                                                filterConfig: LocalRateLimitTests.limit(maxTokens: 1))
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let results = try await GRPCClient.run(port: port, [GRPCCall("Unary"), GRPCCall("Unary")])
            #expect(results.map(\.code) == ["UNAVAILABLE", "UNAVAILABLE"], "\(results)")
            #expect(results.last?.details == "local_rate_limited", "the first call used the only token")
        }
    }
}
