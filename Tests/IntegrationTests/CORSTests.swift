// The CORS filter (`envoy.filters.http.cors`) through the real binary, with policies in
// `typed_per_filter_config` on the virtual host and on a route: preflights answered locally with
// Envoy's headers (the request's origin echoed, never `*`), non-matching preflights forwarded by
// default, simple requests decorated on the way back, and Envoy's `cors.origin_*` stats.

import Foundation
import Testing
import TernTestSupport

@Suite("CORS", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct CORSTests {
    static let corsFilter = """
        - name: envoy.filters.http.cors
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors
        """

    /// Virtual host policy: origin https://a.example. `/strict` has its own policy (origin
    /// https://b.example, non-matching preflights answered locally); `/direct` is a direct response.
    static let hosts = """
        - name: all
          domains: ["*"]
          typed_per_filter_config:
            envoy.filters.http.cors:
              "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy
              allow_origin_string_match: [{ exact: "https://a.example" }]
              allow_methods: "GET, POST"
              allow_headers: "x-a"
              expose_headers: "x-e"
              max_age: "600"
              allow_credentials: true
          routes:
          - match: { prefix: "/strict" }
            route: { cluster: svc }
            typed_per_filter_config:
              envoy.filters.http.cors:
                "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy
                allow_origin_string_match: [{ prefix: "https://b." }]
                allow_methods: "*"
                forward_not_matching_preflights: false
          - match: { prefix: "/" }
            route: { cluster: svc }
        """

    static func config(upstreamPort: Int) -> String {
        FilterChainConfig.bootstrap(upstreamPort: upstreamPort, httpFilters: corsFilter, virtualHosts: hosts)
    }

    static func preflight(origin: String, method: String = "PUT") -> [String] {
        ["origin: \(origin)", "access-control-request-method: \(method)", "access-control-request-headers: x-q"]
    }

    @Test("a preflight from an allowed origin is answered locally with the policy's headers")
    func preflightAnswered() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let r = try await Curl.request(port: port, "/x", method: "OPTIONS", headers: Self.preflight(origin: "https://a.example"))
            #expect(r.status == 200, "\(r)")
            #expect(r.headers["access-control-allow-origin"] == "https://a.example")
            #expect(r.headers["access-control-allow-methods"] == "GET, POST")
            #expect(r.headers["access-control-allow-headers"] == "x-a")
            #expect(r.headers["access-control-max-age"] == "600")
            #expect(r.headers["access-control-allow-credentials"] == "true")
            // Envoy's encode path decorates its own preflight answer too.
            #expect(r.headers["access-control-expose-headers"] == "x-e")
            #expect(r.headers["content-length"] == "0")
            #expect(r.body.isEmpty)
            #expect(upstream.requests.isEmpty)
            #expect(try await proxy.waitForStat("http.ingress.cors.origin_valid", atLeast: 1) == 1)
        }
        await upstream.stop()
    }

    @Test("an origin that is not allowed gets no CORS headers; its preflight goes to the upstream")
    func originNotAllowed() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let get = try await Curl.get(port: port, "/x", headers: ["origin: https://evil.example"])
            #expect(get.status == 200 && get.bodyText == "ok", "\(get)")
            #expect(!get.headers.fields.contains { $0.name.lowercased().hasPrefix("access-control-") }, "\(get)")
            let pre = try await Curl.request(port: port, "/y", method: "OPTIONS", headers: Self.preflight(origin: "https://evil.example"))
            #expect(pre.bodyText == "ok", "\(pre)")
            #expect(!pre.headers.fields.contains { $0.name.lowercased().hasPrefix("access-control-") }, "\(pre)")
            #expect(upstream.requests.map(\.method) == ["GET", "OPTIONS"])
            #expect(try await proxy.waitForStat("http.ingress.cors.origin_invalid", atLeast: 2) == 2)
            #expect(try await proxy.stat("http.ingress.cors.origin_valid") == 0)
        }
        await upstream.stop()
    }

    @Test("a simple request from an allowed origin gets allow-origin, credentials and expose-headers")
    func simpleRequest() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let r = try await Curl.get(port: port, "/x", headers: ["origin: https://a.example"])
            #expect(r.status == 200 && r.bodyText == "ok", "\(r)")
            #expect(r.headers["access-control-allow-origin"] == "https://a.example")
            #expect(r.headers["access-control-allow-credentials"] == "true")
            #expect(r.headers["access-control-expose-headers"] == "x-e")
            #expect(r.headers["access-control-allow-methods"] == nil)
            // Without an Origin it is not a CORS request at all.
            let plain = try await Curl.get(port: port, "/x")
            #expect(plain.headers["access-control-allow-origin"] == nil, "\(plain)")
            #expect(upstream.requests.count == 2)
        }
        await upstream.stop()
    }

    @Test("a route's policy overrides the virtual host's")
    func routePolicyWins() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: Self.config(upstreamPort: upstream.port)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            // The virtual host's origin is not allowed on /strict ...
            let a = try await Curl.get(port: port, "/strict", headers: ["origin: https://a.example"])
            #expect(a.headers["access-control-allow-origin"] == nil, "\(a)")
            let b = try await Curl.get(port: port, "/strict", headers: ["origin: https://b.example"])
            #expect(b.headers["access-control-allow-origin"] == "https://b.example", "\(b)")
            // Fields the route leaves unset come from the virtual host's policy, as in Envoy.
            #expect(b.headers["access-control-expose-headers"] == "x-e", "\(b)")
            #expect(b.headers["access-control-allow-credentials"] == "true", "\(b)")
            // ... allow_methods "*" echoes the requested method ...
            let pre = try await Curl.request(port: port, "/strict", method: "OPTIONS",
                                             headers: Self.preflight(origin: "https://b.example", method: "PATCH"))
            #expect(pre.status == 200 && pre.headers["access-control-allow-methods"] == "PATCH", "\(pre)")
            // ... and a non-matching preflight is answered here, without allow-origin, not forwarded.
            let refused = try await Curl.request(port: port, "/strict", method: "OPTIONS",
                                                 headers: Self.preflight(origin: "https://a.example"))
            #expect(refused.status == 200, "\(refused)")
            #expect(refused.headers["access-control-allow-origin"] == nil, "\(refused)")
            #expect(upstream.requests.map(\.method) == ["GET", "GET"])
        }
        await upstream.stop()
    }
}
