// Route matching and route actions, as Envoy's route table defines them: path/prefix/regex/header/
// query matches, virtual-host domain order, direct responses, redirects, rewrites, weighted clusters.

import Foundation
import Testing
import TernTestSupport

@Suite("Routing", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct RoutingTests {
    static let matchingRoutes = """
        - name: routes
          domains: ["*"]
          routes:
          - match: { path: "/exact" }
            direct_response: { status: 200, body: { inline_string: "path" } }
          - match: { safe_regex: { regex: "/regex/[0-9]+" } }
            direct_response: { status: 200, body: { inline_string: "regex" } }
          - match:
              prefix: "/h"
              headers:
              - name: x-variant
                string_match: { exact: "beta" }
            direct_response: { status: 200, body: { inline_string: "header" } }
          - match:
              prefix: "/q"
              query_parameters:
              - name: debug
                string_match: { exact: "1" }
            direct_response: { status: 200, body: { inline_string: "query" } }
          - match: { prefix: "/api/" }
            route: { cluster: a }
          - match: { prefix: "/" }
            route: { cluster: b }
        """

    @Test("routes match by path, prefix, regex, header and query parameter, first match wins")
    func routeMatching() async throws {
        let a = try await UpstreamServer.start(.echo, name: "a")
        let b = try await UpstreamServer.start(.echo, name: "b")
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: Self.matchingRoutes)],
            clusters: [EnvoyConfig.staticCluster(name: "a", port: a.port),
                       EnvoyConfig.staticCluster(name: "b", port: b.port)])
        // (path, request headers, which route answers: a direct_response body or an upstream name)
        let cases: [(String, [String], String)] = [
            ("/exact", [], "path"),
            ("/exact?x=1", [], "path"),  // the query is not part of the path
            ("/exact/more", [], "b"),
            ("/EXACT", [], "b"),  // case-sensitive by default
            ("/regex/123", [], "regex"),
            ("/regex/123x", [], "b"),  // the regex must match the whole path
            ("/h", ["x-variant: beta"], "header"),
            ("/h", ["x-variant: alpha"], "b"),
            ("/h", [], "b"),
            ("/q?debug=1", [], "query"),
            ("/q?debug=0", [], "b"),
            ("/api/users", [], "a"),
            ("/apix", [], "b"),
        ]
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for (path, headers, expected) in cases {
                let response = try await Curl.get(port: port, path, headers: headers)
                #expect(response.status == 200, "\(path) \(headers)")
                #expect(Self.answeredBy(response) == expected, "\(path) \(headers)")
            }
        }
        await a.stop()
        await b.stop()
    }

    @Test("virtual hosts match exact, then longest *.suffix, then prefix.*, then *")
    func virtualHostDomains() async throws {
        let hosts = """
            - name: exact
              domains: ["api.example.com"]
              routes: [{ match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "exact" } } }]
            - name: suffix
              domains: ["*.example.com"]
              routes: [{ match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "suffix" } } }]
            - name: longer-suffix
              domains: ["*.b.example.com"]
              routes: [{ match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "longer-suffix" } } }]
            - name: prefix
              domains: ["static.*"]
              routes: [{ match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "prefix" } } }]
            - name: fallback
              domains: ["*"]
              routes: [{ match: { prefix: "/" }, direct_response: { status: 200, body: { inline_string: "any" } } }]
            """
        let config = EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: hosts)], clusters: [])
        let cases = [
            ("api.example.com", "exact"),
            ("API.Example.COM", "exact"),  // host matching ignores case
            ("www.example.com", "suffix"),
            ("x.b.example.com", "longer-suffix"),
            ("static.example.com", "suffix"),  // a suffix wildcard beats a prefix wildcard
            ("static.cdn.net", "prefix"),
            ("example.com", "any"),  // "*.example.com" needs at least one more label
            ("other.org", "any"),
        ]
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for (host, expected) in cases {
                let response = try await Curl.get(port: port, "/", headers: ["host: \(host)"])
                #expect(response.status == 200, "host \(host)")
                #expect(response.bodyText == expected, "host \(host)")
            }
        }
    }

    @Test("a request no route matches gets 404 with an empty body")
    func noRoute() async throws {
        let hosts = """
            - name: only
              domains: ["only.example.com"]
              routes: [{ match: { prefix: "/only" }, direct_response: { status: 200 } }]
            """
        let config = EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: hosts)], clusters: [])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let wrongPath = try await Curl.get(port: port, "/elsewhere", headers: ["host: only.example.com"])
            let wrongHost = try await Curl.get(port: port, "/only", headers: ["host: other.example.com"])
            for response in [wrongPath, wrongHost] {
                #expect(response.status == 404)
                #expect(response.body.isEmpty)
                #expect(response.headers["server"] == "envoy")
            }
            #expect(try await proxy.waitForStat("http.ingress.no_route", atLeast: 2) == 2)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_4xx", atLeast: 2) == 2)
        }
    }

    @Test("direct_response answers with its status and body, and no body when it has none")
    func directResponse() async throws {
        let hosts = """
            - name: direct
              domains: ["*"]
              routes:
              - match: { path: "/hello" }
                direct_response: { status: 200, body: { inline_string: "Hello from the route table\\n" } }
              - match: { path: "/down" }
                direct_response: { status: 503, body: { inline_string: "maintenance" } }
              - match: { path: "/empty" }
                direct_response: { status: 204 }
            """
        let config = EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: hosts)], clusters: [])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let hello = try await Curl.get(port: port, "/hello")
            #expect(hello.status == 200)
            #expect(hello.bodyText == "Hello from the route table\n")
            #expect(hello.headers["content-type"] == "text/plain")
            #expect(hello.headers["content-length"] == "27")
            let down = try await Curl.get(port: port, "/down")
            #expect(down.status == 503 && down.bodyText == "maintenance")
            let empty = try await Curl.get(port: port, "/empty")
            #expect(empty.status == 204 && empty.body.isEmpty)
            #expect(try await proxy.waitForStat("http.ingress.rq_direct_response", atLeast: 3) == 3)
        }
    }

    // MARK: - Helpers

    /// Which route answered: a direct_response body, or the name of the upstream that echoed.
    static func answeredBy(_ response: CurlResponse) -> String {
        (try? response.echoed().upstream) ?? response.bodyText
    }
}
