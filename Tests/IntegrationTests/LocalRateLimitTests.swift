// envoy.filters.http.local_ratelimit through the real binary: a burst over max_tokens gets
// exactly the expected 429s and the upstream sees only the allowed requests; per-route configs
// replace the filter's; descriptors from the filter's own rate_limits give each header value its
// own bucket; filter_enabled 0% lets everything through. Buckets hold few tokens and refill once
// an hour, so no expectation depends on timing.

import Foundation
import Testing
import TernTestSupport

@Suite("HTTP local rate limit", .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct LocalRateLimitTests {
    static let filterType = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"

    /// A LocalRateLimit `typed_config` body (YAML at column 0) enabled and enforced for every request.
    static func limit(statPrefix: String = "edge_rl", maxTokens: Int?, extra: String = "") -> String {
        """
        "@type": \(filterType)
        stat_prefix: \(statPrefix)
        \(maxTokens.map { "token_bucket: { max_tokens: \($0), tokens_per_fill: 1, fill_interval: 3600s }" } ?? "")
        filter_enabled: { default_value: { numerator: 100, denominator: HUNDRED } }
        filter_enforced: { default_value: { numerator: 100, denominator: HUNDRED } }
        \(extra)
        """
    }

    /// Listener "ingress" with the local rate limit filter (`filterConfig`, a typed_config body)
    /// before the router; `virtualHosts` defaults to everything to cluster "svc".
    static func config(upstreamPort: Int, filterConfig: String, virtualHosts: String? = nil, hcmExtra: String = "") -> String {
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
            \(EnvoyConfig.indent(virtualHosts ?? EnvoyConfig.routeAll(to: "svc"), 10))
                    http_filters:
                    - name: envoy.filters.http.local_ratelimit
                      typed_config:
            \(EnvoyConfig.indent(filterConfig, 12))
                    - name: envoy.filters.http.router
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
            """
        return EnvoyConfig.bootstrap(listeners: [listener], clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstreamPort)])
    }

    @Test("a burst over max_tokens: exactly the excess is refused with 429 local_rate_limited, flag RL")
    func burstOverMaxTokens() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "hello"))
        let dir = try TemporaryDirectory(prefix: "rl-log")
        let log = dir.file("access.log")
        let accessLog = """
            access_log:
            - name: envoy.access_loggers.file
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: \(log.path)
                log_format: { text_format_source: { inline_string: "%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\\n" } }
            """
        let filter = Self.limit(maxTokens: 3, extra: """
            response_headers_to_add:
            - header: { key: x-limited-by, value: edge }
            """)
        // Two workers: the bucket is one for the process, whichever worker a connection lands on.
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, filterConfig: filter, hcmExtra: accessLog),
                                   concurrency: 2) { proxy in
            let port = try await proxy.listenerPort("ingress")
            var responses: [CurlResponse] = []
            for _ in 0..<7 { responses.append(try await Curl.get(port: port, "/burst")) }
            #expect(responses.map(\.status) == [200, 200, 200, 429, 429, 429, 429])
            for refused in responses where refused.status == 429 {
                #expect(refused.bodyText == "local_rate_limited")
                #expect(refused.headers["x-limited-by"] == "edge")
                #expect(refused.headers["content-type"] == "text/plain")
                // Envoy's docs say the filter sets x-envoy-ratelimited; the 1.40 binary does not.
                // Tern follows the docs (a deliberate difference, see docs/extensions.md).
                let expected: String? = TestEnvironment.proxyUnderTest == .tern ? "true" : nil
                #expect(refused.headers["x-envoy-ratelimited"] == expected)
            }
            #expect(responses.filter { $0.status == 200 }.allSatisfy { $0.bodyText == "hello" && $0.headers["x-limited-by"] == nil })
            #expect(upstream.requests.count == 3, "refused requests never reach the upstream")
            #expect(try await proxy.waitForStat("edge_rl.http_local_rate_limit.enabled", atLeast: 7) == 7)
            #expect(try await proxy.stat("edge_rl.http_local_rate_limit.ok") == 3)
            #expect(try await proxy.stat("edge_rl.http_local_rate_limit.rate_limited") == 4)
            #expect(try await proxy.stat("edge_rl.http_local_rate_limit.enforced") == 4)
            let lines = await TextFilePoller.waitForLines(log, count: 7)
            #expect(lines.filter { $0 == "429 RL local_rate_limited" }.count == 4, "\(lines)")
            #expect(lines.filter { $0.hasPrefix("200 - ") }.count == 3, "\(lines)")
        }
        await upstream.stop()
        dir.remove()
    }

    @Test("a route's typed_per_filter_config replaces the filter's: one route limited, one not")
    func perRouteOverride() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let routeLimit = EnvoyConfig.indent(Self.limit(statPrefix: "route_rl", maxTokens: 2), 8)
        let vhosts = """
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: "/limited" }
                route: { cluster: svc }
                typed_per_filter_config:
                  envoy.filters.http.local_ratelimit:
            \(routeLimit)
              - match: { prefix: "/" }
                route: { cluster: svc }
            """
        // The filter itself has no token bucket: enabled, but nothing limits outside /limited.
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, filterConfig: Self.limit(maxTokens: nil),
                                                       virtualHosts: vhosts)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            var limited: [Int] = []
            var free: [Int] = []
            for _ in 0..<4 {
                limited.append(try await Curl.get(port: port, "/limited").status)
                free.append(try await Curl.get(port: port, "/free").status)
            }
            #expect(limited == [200, 200, 429, 429])
            #expect(free == [200, 200, 200, 200])
            #expect(upstream.requests.filter { $0.path == "/limited" }.count == 2)
            #expect(upstream.requests.filter { $0.path == "/free" }.count == 4)
            #expect(try await proxy.waitForStat("route_rl.http_local_rate_limit.rate_limited", atLeast: 2) == 2)
            #expect(try await proxy.stat("route_rl.http_local_rate_limit.ok") == 2)
            #expect(try await proxy.stat("edge_rl.http_local_rate_limit.ok") == 4)
            #expect(try await proxy.stat("edge_rl.http_local_rate_limit.rate_limited") == 0)
        }
        await upstream.stop()
    }

    @Test("a descriptor keyed on a header: each caller's header value has its own bucket")
    func descriptorPerHeaderValue() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let filter = Self.limit(maxTokens: 100, extra: """
            rate_limits:
            - actions:
              - request_headers: { header_name: x-client-id, descriptor_key: client }
            descriptors:
            - entries: [ { key: client } ]
              token_bucket: { max_tokens: 2, tokens_per_fill: 1, fill_interval: 3600s }
            - entries: [ { key: client, value: vip } ]
              token_bucket: { max_tokens: 4, tokens_per_fill: 1, fill_interval: 3600s }
            """)
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, filterConfig: filter)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            func statuses(_ client: String?, _ count: Int) async throws -> [Int] {
                var out: [Int] = []
                for _ in 0..<count {
                    out.append(try await Curl.get(port: port, "/", headers: client.map { ["x-client-id: \($0)"] } ?? []).status)
                }
                return out
            }
            #expect(try await statuses("alice", 3) == [200, 200, 429])
            #expect(try await statuses("bob", 3) == [200, 200, 429], "bob's bucket is not alice's")
            #expect(try await statuses("vip", 5) == [200, 200, 200, 200, 429], "an exact descriptor has its own bucket")
            #expect(try await statuses(nil, 3) == [200, 200, 200], "no descriptor: the default bucket")
            #expect(upstream.requests.count == 11, "2 alice + 2 bob + 4 vip + 3 without the header")
            let clients: [String] = upstream.requests.compactMap { $0.headers["x-client-id"] }
            let alice = clients.filter { $0 == "alice" }.count
            let bob = clients.filter { $0 == "bob" }.count
            #expect(alice == 2)
            #expect(bob == 2)
        }
        await upstream.stop()
    }

    @Test("local_rate_limit_per_downstream_connection: each connection has its own bucket")
    func perConnectionBuckets() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let filter = Self.limit(maxTokens: 1, extra: "local_rate_limit_per_downstream_connection: true")
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, filterConfig: filter)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let request = "GET /keep HTTP/1.1\r\nHost: test\r\n\r\n"
            for _ in 0..<2 {
                let connection = try await RawConnection.connect(port: port)
                try await connection.send(request)
                _ = try await connection.readResponses(1)
                try await connection.send(request)
                let read = try await connection.readResponses(2)
                await connection.close()
                #expect(read.responses.map(\.status) == [200, 429], "the second request on a connection finds its bucket empty")
            }
            #expect(upstream.requests.count == 2, "one request per connection reached the upstream")
        }
        await upstream.stop()
    }

    @Test("filter_enabled 0% lets every request through and counts nothing")
    func filterEnabledZero() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let filter = """
            "@type": \(Self.filterType)
            stat_prefix: edge_rl
            token_bucket: { max_tokens: 1, tokens_per_fill: 1, fill_interval: 3600s }
            filter_enabled: { default_value: { numerator: 0, denominator: HUNDRED } }
            filter_enforced: { default_value: { numerator: 100, denominator: HUNDRED } }
            """
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, filterConfig: filter)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            var codes: [Int] = []
            for _ in 0..<5 { codes.append(try await Curl.get(port: port, "/").status) }
            #expect(codes == [200, 200, 200, 200, 200])
            #expect(upstream.requests.count == 5)
            #expect(try await proxy.stat("edge_rl.http_local_rate_limit.enabled") == 0)
        }
        await upstream.stop()
    }

    @Test("enabled but not enforced: over-limit requests go upstream with request_headers_to_add_when_not_enforced")
    func notEnforced() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let filter = """
            "@type": \(Self.filterType)
            stat_prefix: edge_rl
            token_bucket: { max_tokens: 1, tokens_per_fill: 1, fill_interval: 3600s }
            filter_enabled: { default_value: { numerator: 100, denominator: HUNDRED } }
            request_headers_to_add_when_not_enforced:
            - header: { key: x-over-limit, value: "true" }
            """
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, filterConfig: filter)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            var codes: [Int] = []
            for _ in 0..<3 { codes.append(try await Curl.get(port: port, "/").status) }
            #expect(codes == [200, 200, 200])
            let marks = upstream.requests.map { $0.headers["x-over-limit"] }
            #expect(marks == [nil, "true", "true"])
            #expect(try await proxy.waitForStat("edge_rl.http_local_rate_limit.rate_limited", atLeast: 2) == 2)
            #expect(try await proxy.stat("edge_rl.http_local_rate_limit.enforced") == 0)
        }
        await upstream.stop()
    }

    @Test("enable_x_ratelimit_headers adds x-ratelimit-limit, -remaining and -reset")
    func xRateLimitHeaders() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let filter = Self.limit(maxTokens: 2, extra: "enable_x_ratelimit_headers: DRAFT_VERSION_03")
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port, filterConfig: filter)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            var responses: [CurlResponse] = []
            for _ in 0..<3 { responses.append(try await Curl.get(port: port, "/")) }
            #expect(responses.map(\.status) == [200, 200, 429])
            #expect(responses.map { $0.headers["x-ratelimit-limit"] } == ["2", "2", "2"])
            #expect(responses.map { $0.headers["x-ratelimit-remaining"] } == ["1", "0", "0"])
            // One token an hour: the next one is about 3600 s away once the bucket is empty.
            #expect(responses[0].headers["x-ratelimit-reset"] == "0")
            #expect(responses[2].headers["x-ratelimit-reset"].flatMap(Int.init).map { (3590...3600).contains($0) } == true)
        }
        await upstream.stop()
    }
}
