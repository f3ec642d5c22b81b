// What a matched route does besides picking a cluster: redirects, path and host rewrites, header
// mutations at route-configuration, virtual-host and route level, and weighted cluster splits.

import Foundation
import Testing
import TernTestSupport

@Suite("Route actions", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct RouteActionTests {
    @Test("redirects answer 301 with the new location and reach no upstream")
    func redirect() async throws {
        let hosts = """
            - name: redirects
              domains: ["*"]
              routes:
              - match: { prefix: "/old" }
                redirect: { path_redirect: "/new", response_code: MOVED_PERMANENTLY }
              - match: { prefix: "/secure" }
                redirect: { https_redirect: true }
              - match: { prefix: "/elsewhere" }
                redirect: { host_redirect: "other.example.com" }
            """
        let config = EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: hosts)], clusters: [])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let host = ["host: www.example.com"]
            let moved = try await Curl.get(port: port, "/old/page?q=1", headers: host)
            #expect(moved.status == 301)
            #expect(moved.headers["location"] == "http://www.example.com/new?q=1", "the query is kept")
            let secure = try await Curl.get(port: port, "/secure/x?y=2", headers: host)
            #expect(secure.status == 301)
            #expect(secure.headers["location"] == "https://www.example.com/secure/x?y=2")
            let elsewhere = try await Curl.get(port: port, "/elsewhere/a", headers: host)
            #expect(elsewhere.status == 301)
            #expect(elsewhere.headers["location"] == "http://other.example.com/elsewhere/a")
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_3xx", atLeast: 3) == 3)
            // Envoy counts a redirect as a direct response (rq_redirect is for internal redirects).
            #expect(try await proxy.waitForStat("http.ingress.rq_direct_response", atLeast: 3) == 3)
            #expect(try await proxy.stat("http.ingress.rq_total") == 3, "the router counts every request it saw")
        }
    }

    @Test("prefix_rewrite and host_rewrite_literal change what the upstream sees")
    func rewrites() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        let hosts = """
            - name: rewrite
              domains: ["*"]
              routes:
              - match: { prefix: "/old/" }
                route: { cluster: svc, prefix_rewrite: "/new/", host_rewrite_literal: "backend.internal" }
              - match: { prefix: "/strip/" }
                route: { cluster: svc, prefix_rewrite: "/" }
            """
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: hosts)],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream.port)])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let rewritten = try await Curl.get(port: port, "/old/item?id=7", headers: ["host: front.example.com"])
            #expect(rewritten.status == 200)
            let seen = try rewritten.echoed()
            #expect(seen.uri == "/new/item?id=7")
            #expect(seen.headers["host"] == "backend.internal")
            #expect(seen.headers["x-envoy-original-path"] == "/old/item?id=7")
            #expect(seen.headers["x-forwarded-host"] == nil, "only with append_x_forwarded_host")

            let stripped = try await Curl.get(port: port, "/strip/rest")
            #expect(try stripped.echoed().uri == "/rest")
        }
        await upstream.stop()
    }

    @Test("headers are added and removed at route configuration, virtual host and route level")
    func headerMutations() async throws {
        let upstream = try await UpstreamServer.start(
            .respond(headers: [HeaderField("x-upstream-secret", "s3cr3t"), HeaderField("x-upstream-kept", "yes")],
                     body: "ok"))
        let routeConfigExtra = """
            request_headers_to_add:
            - header: { key: x-level-config, value: config }
            - header: { key: x-who, value: config }
              append_action: OVERWRITE_IF_EXISTS_OR_ADD
            response_headers_to_add:
            - header: { key: x-resp-config, value: config }
            """
        let hosts = """
            - name: mutate
              domains: ["*"]
              request_headers_to_add:
              - header: { key: x-level-vhost, value: vhost }
              - header: { key: x-who, value: vhost }
                append_action: OVERWRITE_IF_EXISTS_OR_ADD
              response_headers_to_add:
              - header: { key: x-resp-vhost, value: vhost }
              response_headers_to_remove: [x-upstream-secret]
              routes:
              - match: { prefix: "/" }
                route: { cluster: svc }
                request_headers_to_add:
                - header: { key: x-level-route, value: route }
                - header: { key: x-who, value: route }
                  append_action: OVERWRITE_IF_EXISTS_OR_ADD
                request_headers_to_remove: [x-remove-me]
                response_headers_to_add:
                - header: { key: x-resp-route, value: route }
            """
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: hosts, routeConfigExtra: routeConfigExtra)],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream.port)])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.get(port: port, "/m", headers: ["x-remove-me: gone", "x-keep-me: here"])
            #expect(response.status == 200)
            #expect(response.headers["x-resp-config"] == "config")
            #expect(response.headers["x-resp-vhost"] == "vhost")
            #expect(response.headers["x-resp-route"] == "route")
            #expect(response.headers["x-upstream-secret"] == nil)
            #expect(response.headers["x-upstream-kept"] == "yes")

            let seen = try #require(await upstream.waitForRequests(1).first)
            #expect(seen.headers["x-level-config"] == "config")
            #expect(seen.headers["x-level-vhost"] == "vhost")
            #expect(seen.headers["x-level-route"] == "route")
            #expect(seen.headers["x-remove-me"] == nil)
            #expect(seen.headers["x-keep-me"] == "here")
            // Envoy applies route, then virtual host, then route configuration: by default the
            // outermost level overwrites last (most_specific_header_mutations_wins flips that).
            #expect(seen.headers.values("x-who") == ["config"])
        }
        await upstream.stop()
    }

    @Test("weighted_clusters split traffic roughly by weight")
    func weightedClusters() async throws {
        let heavy = try await UpstreamServer.start(.respond(body: "heavy"), name: "heavy")
        let light = try await UpstreamServer.start(.respond(body: "light"), name: "light")
        let hosts = """
            - name: split
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route:
                  weighted_clusters:
                    clusters:
                    - { name: heavy, weight: 75 }
                    - { name: light, weight: 25 }
            """
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: hosts)],
            clusters: [EnvoyConfig.staticCluster(name: "heavy", port: heavy.port),
                       EnvoyConfig.staticCluster(name: "light", port: light.port)])
        let total = 200
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let urls = (0..<total).flatMap { ["-o", "/dev/null", "http://127.0.0.1:\(port)/w/\($0)"] }
            let output = try await Curl.run(["-sS", "--http1.1", "-w", "%{http_code}\n"] + urls, timeout: .seconds(60))
            #expect(output.exitCode == 0, "\(output.stderrText)")
            #expect(output.stdoutText.split(separator: "\n").filter { $0 == "200" }.count == total)
        }
        let heavyCount = heavy.requests.count
        let lightCount = light.requests.count
        #expect(heavyCount + lightCount == total)
        // Expected 150/50; the standard deviation is about 6, so ±40 only fails on a broken split.
        #expect((110...190).contains(heavyCount), "heavy got \(heavyCount), light \(lightCount)")
        await heavy.stop()
        await light.stop()
    }
}
