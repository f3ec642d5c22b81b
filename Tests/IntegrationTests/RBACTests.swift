// envoy.filters.http.rbac: allowed requests reach the upstream, denied ones are answered 403 by
// the proxy and never do; shadow rules only count; a route can replace or disable the rules.

import Foundation
import Testing
import TernTestSupport

@Suite("HTTP RBAC", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct RBACTests {
    /// Listener "ingress" (stat prefix "ingress") with the RBAC filter (`rbac`, the filter's
    /// typed_config body at column 0) before the router; `routes` is the virtual host's route list.
    static func config(upstreamPort: Int, rbac: String, routes: String? = nil, hcmExtra: String = "") -> String {
        let routeList = routes ?? """
            - match: { prefix: "/" }
              route: { cluster: svc }
            """
        let listener = """
            - name: ingress
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
              - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: ingress
            \(EnvoyConfig.indent(hcmExtra, 8))
                    route_config:
                      name: local_route
                      virtual_hosts:
                      - name: all
                        domains: ["*"]
                        routes:
            \(EnvoyConfig.indent(routeList, 12))
                    http_filters:
                    - name: envoy.filters.http.rbac
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
            \(EnvoyConfig.indent(rbac, 12))
                    - name: envoy.filters.http.router
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
            """
        return EnvoyConfig.bootstrap(listeners: [listener], clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstreamPort)])
    }

    @Test("ALLOW lets a matching request through and answers 403 to another, which never reaches the upstream")
    func allowPolicy() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        let dir = try TemporaryDirectory(prefix: "rbac-log")
        defer { dir.remove() }
        let log = dir.file("access.log")
        let rbac = """
            rules:
              action: ALLOW
              policies:
                "get api":
                  permissions:
                  - and_rules:
                      rules:
                      - header: { name: ":method", string_match: { exact: GET } }
                      - url_path: { path: { prefix: "/api/" } }
                  principals: [ { any: true } ]
            """
        let accessLog = """
            access_log:
            - name: envoy.access_loggers.file
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: \(log.path)
                log_format: { text_format_source: { inline_string: "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_CODE_DETAILS%\\n" } }
            """
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, rbac: rbac, hcmExtra: accessLog),
                                   extraArguments: ["--file-flush-interval-msec", "100"]) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let allowed = try await Curl.get(port: port, "/api/items?page=2")
            #expect(allowed.status == 200)
            let denied = try await Curl.get(port: port, "/admin")
            #expect(denied.status == 403)
            #expect(denied.bodyText == "RBAC: access denied")
            #expect(denied.headers["content-type"] == "text/plain")
            let post = try await Curl.request(port: port, "/api/items", method: "POST", body: Array("x".utf8))
            #expect(post.status == 403)
            #expect(try await proxy.waitForStat("http.ingress.rbac.allowed", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.rbac.denied", atLeast: 2) == 2)
            #expect(upstream.requests.map(\.uri) == ["/api/items?page=2"], "only the allowed request reached the upstream")
            let lines = await TextFilePoller.waitForLines(log, count: 3)
            #expect(lines.contains("/admin 403 rbac_access_denied_matched_policy[none]"))
        }
        await upstream.stop()
    }

    @Test("DENY by header names the matched policy in the response code details")
    func denyByHeader() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        let dir = try TemporaryDirectory(prefix: "rbac-log")
        defer { dir.remove() }
        let log = dir.file("access.log")
        let rbac = """
            rules:
              action: DENY
              policies:
                "blocked agents":
                  permissions: [ { any: true } ]
                  principals:
                  - header: { name: user-agent, string_match: { prefix: "badbot" } }
            """
        let accessLog = """
            access_log:
            - name: envoy.access_loggers.file
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: \(log.path)
                log_format: { text_format_source: { inline_string: "%RESPONSE_CODE% %RESPONSE_CODE_DETAILS%\\n" } }
            """
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, rbac: rbac, hcmExtra: accessLog),
                                   extraArguments: ["--file-flush-interval-msec", "100"]) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/", headers: ["user-agent: badbot/1.0"]).status == 403)
            #expect(try await Curl.get(port: port, "/", headers: ["user-agent: curl/8"]).status == 200)
            #expect(try await proxy.waitForStat("http.ingress.rbac.denied", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.rbac.allowed", atLeast: 1) == 1)
            #expect(upstream.requests.count == 1)
            let lines = await TextFilePoller.waitForLines(log, count: 2)
            // Envoy replaces whitespace in the policy name so the details stay one token.
            #expect(lines.contains("403 rbac_access_denied_matched_policy[blocked_agents]"))
        }
        await upstream.stop()
    }

    @Test("a source IP rule allows 127.0.0.1 and a non-matching CIDR denies it")
    func sourceIP() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        let rbac = """
            rules:
              action: ALLOW
              policies:
                loopback:
                  permissions: [ { url_path: { path: { prefix: "/local" } } } ]
                  principals: [ { direct_remote_ip: { address_prefix: 127.0.0.0, prefix_len: 8 } } ]
                elsewhere:
                  permissions: [ { url_path: { path: { prefix: "/remote" } } } ]
                  principals: [ { remote_ip: { address_prefix: 192.0.2.0, prefix_len: 24 } } ]
            """
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, rbac: rbac)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/local/a").status == 200)
            #expect(try await Curl.get(port: port, "/remote/a").status == 403, "127.0.0.1 is not in 192.0.2.0/24")
            #expect(upstream.requests.map(\.uri) == ["/local/a"])
        }
        await upstream.stop()
    }

    @Test("remote_ip is the client from x-forwarded-for when the connection manager trusts it")
    func remoteIPFromXFF() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        let rbac = """
            rules:
              action: ALLOW
              policies:
                partners:
                  permissions: [ { any: true } ]
                  principals: [ { remote_ip: { address_prefix: 192.0.2.0, prefix_len: 24 } } ]
            """
        // use_remote_address false (the default): the last XFF entry is the client.
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, rbac: rbac)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/", headers: ["x-forwarded-for: 198.51.100.1, 192.0.2.10"]).status == 200)
            #expect(try await Curl.get(port: port, "/", headers: ["x-forwarded-for: 192.0.2.10, 198.51.100.1"]).status == 403)
            #expect(try await Curl.get(port: port, "/").status == 403, "without XFF the client is the peer, 127.0.0.1")
        }
        // use_remote_address true: the peer, whatever XFF says.
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, rbac: rbac,
                                                       hcmExtra: "use_remote_address: true")) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/", headers: ["x-forwarded-for: 192.0.2.10"]).status == 403)
        }
        #expect(upstream.requests.count == 1)
        await upstream.stop()
    }

    @Test("shadow rules are counted and never block")
    func shadowRules() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        let rbac = """
            shadow_rules_stat_prefix: trial
            shadow_rules:
              action: DENY
              policies:
                "no admin":
                  permissions: [ { url_path: { path: { prefix: "/admin" } } } ]
                  principals: [ { any: true } ]
            """
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, rbac: rbac)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/admin").status == 200)
            #expect(try await Curl.get(port: port, "/home").status == 200)
            #expect(try await proxy.waitForStat("http.ingress.rbac.trial.shadow_denied", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.rbac.trial.shadow_allowed", atLeast: 1) == 1)
            let stats = try await proxy.stats()
            #expect(stats["http.ingress.rbac.allowed"] == 0 && stats["http.ingress.rbac.denied"] == 0, "no rules, nothing enforced")
            #expect(upstream.requests.count == 2)
        }
        await upstream.stop()
    }

    @Test("a route's RBACPerRoute replaces the rules, and one without rbac disables the filter")
    func perRoute() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        let rbac = """
            rules:
              action: DENY
              policies:
                everything: { permissions: [ { any: true } ], principals: [ { any: true } ] }
            """
        let routes = """
            - match: { prefix: "/open" }
              route: { cluster: svc }
              typed_per_filter_config:
                envoy.filters.http.rbac:
                  "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute
            - match: { prefix: "/get-only" }
              route: { cluster: svc }
              typed_per_filter_config:
                envoy.filters.http.rbac:
                  "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute
                  rbac:
                    rules:
                      action: ALLOW
                      policies:
                        get: { permissions: [ { header: { name: ":method", string_match: { exact: GET } } } ], principals: [ { any: true } ] }
            - match: { prefix: "/" }
              route: { cluster: svc }
            """
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, rbac: rbac, routes: routes)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/closed").status == 403)
            #expect(try await Curl.get(port: port, "/open/a").status == 200)
            #expect(try await Curl.get(port: port, "/get-only/a").status == 200)
            #expect(try await Curl.request(port: port, "/get-only/a", method: "DELETE").status == 403)
            // Per-route rules count in the filter's stats; a disabled filter counts nothing.
            #expect(try await proxy.waitForStat("http.ingress.rbac.denied", atLeast: 2) == 2)
            #expect(try await proxy.waitForStat("http.ingress.rbac.allowed", atLeast: 1) == 1)
            #expect(upstream.requests.map(\.uri) == ["/open/a", "/get-only/a"])
        }
        await upstream.stop()
    }

    @Test("config errors name the field: a policy without permissions", .ternOnly)
    func configError() async throws {
        let rbac = """
            rules:
              policies:
                broken: { principals: [ { any: true } ] }
            """
        let dir = try TemporaryDirectory(prefix: "rbac-validate")
        defer { dir.remove() }
        let file = try dir.write("bad.yaml", Self.config(upstreamPort: 1, rbac: rbac))
        let output = try await ProcessRunner.run(try TestEnvironment.ternBinary(), ["validate", "-c", file.path])
        let text = output.stdoutText + output.stderrText
        #expect(output.exitCode == 1, "\(text)")
        #expect(text.contains("http_filters[0].typed_config.rules.policies.broken.permissions"), "\(text)")
    }
}
