// Request mirroring (`request_mirror_policies`): every selected request is copied, head, body and
// trailers, to the shadow cluster with `-shadow` on its authority; the shadow's answer, failure or
// silence never reaches the client, and never holds the client's response back.

import Foundation
import Testing
import TernTestSupport

@Suite("Request mirroring", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct RequestMirrorTests {
    /// Listener "ingress" routing everything to cluster "svc" at `primary`, with `policies` (YAML
    /// list items of `request_mirror_policies`) and the shadow clusters named in `shadows`.
    static func config(primary: Int, shadows: [(name: String, port: Int)], policies: String,
                       routeExtra: String = "") -> String {
        EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(
                to: "svc", routeExtra: "request_mirror_policies:\n\(policies)\n\(routeExtra)"))],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: primary)]
                + shadows.map { EnvoyConfig.staticCluster(name: $0.name, port: $0.port) })
    }

    /// A body that is not a repetition, so a lost or reordered chunk shows.
    static func body(_ size: Int) -> [UInt8] {
        var state: UInt32 = 2_463_534_242
        return (0..<size).map { _ in
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(truncatingIfNeeded: state)
        }
    }

    @Test("a GET and a chunked 256 KiB POST reach primary and shadow alike, the shadow's host with -shadow")
    func mirrorsHeadersAndBody() async throws {
        let primary = try await UpstreamServer.start(.echo, name: "primary")
        let shadow = try await UpstreamServer.start(.respond(body: "from the shadow"), name: "shadow")
        let config = Self.config(primary: primary.port, shadows: [("mirror", shadow.port)], policies: "- cluster: mirror")
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let get = try await Curl.get(port: port, "/get?x=1", headers: ["host: api.example.com:8080", "x-forwarded-for: 203.0.113.9"])
            #expect(get.status == 200)
            #expect(get.headers["x-upstream-name"] == "primary")
            let seen = try get.echoed()
            #expect(seen.headers["host"] == "api.example.com:8080", "the primary keeps the original host")

            let payload = Self.body(256 * 1024)
            let post = try await Curl.request(port: port, "/upload", method: "POST",
                                              headers: ["transfer-encoding: chunked", "host: files.example.com"],
                                              body: payload)
            #expect(post.status == 200)
            #expect(try post.echoed().bodyLength == payload.count)

            let mirrored = await shadow.waitForRequests(2)
            try #require(mirrored.count == 2)
            #expect(mirrored[0].method == "GET" && mirrored[0].uri == "/get?x=1")
            #expect(mirrored[0].headers["host"] == "api.example.com-shadow:8080", "-shadow goes before the port")
            #expect(mirrored[0].headers["x-request-id"] == seen.headers["x-request-id"], "the same request, copied")
            // What Envoy's async client adds to each request it sends: internal, and its own address in XFF.
            #expect(mirrored[0].headers["x-envoy-internal"] == "true")
            #expect(seen.headers["x-envoy-internal"] == nil)
            let forwarded = seen.headers["x-forwarded-for"].map { $0.split(separator: ",").map(String.init) } ?? []
            let shadowForwarded = mirrored[0].headers["x-forwarded-for"]?.split(separator: ",").map(String.init) ?? []
            #expect(shadowForwarded.count == forwarded.count + 1 && shadowForwarded.starts(with: forwarded),
                    "x-forwarded-for \(forwarded) then the proxy's address: \(shadowForwarded)")
            #expect(mirrored[1].method == "POST" && mirrored[1].uri == "/upload")
            #expect(mirrored[1].headers["host"] == "files.example.com-shadow")
            #expect(mirrored[1].headers["transfer-encoding"] == "chunked")
            #expect(mirrored[1].body == payload, "the shadow got the whole body, in order")
            #expect(primary.requests.last?.body == payload)
            #expect(primary.requests.allSatisfy { $0.headers["host"]?.hasSuffix("-shadow") == false })
            // The shadow's requests are the shadow cluster's requests, in its normal stats.
            #expect(try await proxy.waitForStat("cluster.mirror.upstream_rq_200", atLeast: 2) == 2)
            #expect(try await proxy.stat("cluster.mirror.upstream_rq_total") == 2)
            #expect(try await proxy.stat("cluster.svc.upstream_rq_total") == 2)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_2xx", atLeast: 2) == 2)
        }
        await primary.stop()
        await shadow.stop()
    }

    @Test("a shadow answering 500 or not listening at all changes nothing for the client")
    func failingShadowsAreInvisible() async throws {
        let primary = try await UpstreamServer.start(.respond(body: "primary answer"), name: "primary")
        let broken = try await UpstreamServer.start(.respond(status: 500, body: "shadow failure"), name: "broken")
        let dead = try await UnusedPort.next()
        let config = Self.config(primary: primary.port, shadows: [("broken", broken.port), ("dead", dead)],
                                 policies: "- cluster: broken\n- cluster: dead")
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for i in 0..<3 {
                let response = i == 1
                    ? try await Curl.request(port: port, "/p", method: "POST", body: Self.body(10_000))
                    : try await Curl.get(port: port, "/g\(i)")
                #expect(response.status == 200)
                #expect(response.bodyText == "primary answer")
                #expect(response.headers["x-upstream-name"] == "primary")
            }
            #expect(await broken.waitForRequests(3).count == 3)
            // Envoy makes a response-code stat when it is first counted, which may be after the client's answer.
            #expect(await waitUntil { (try? await proxy.stat("cluster.broken.upstream_rq_500")) == 3 })
            #expect(await waitUntil { (try? await proxy.stat("cluster.dead.upstream_rq_503")) == 3 })
            #expect(try await proxy.stat("cluster.dead.upstream_cx_connect_fail") >= 1)
            #expect(try await proxy.stat("http.ingress.downstream_rq_2xx") == 3)
            #expect(try await proxy.stat("http.ingress.downstream_rq_5xx") == 0)
        }
        await primary.stop()
        await broken.stop()
    }

    @Test("the client has its answer while a hanging shadow still holds the request")
    func hangingShadowDoesNotDelayTheClient() async throws {
        let primary = try await UpstreamServer.start(.echo, name: "primary")
        let hanging = try await UpstreamServer.start(.hang, name: "hanging")
        // No route timeout: the shadow hangs for as long as the test looks at it.
        let config = Self.config(primary: primary.port, shadows: [("hanging", hanging.port)],
                                 policies: "- cluster: hanging", routeExtra: "timeout: 0s")
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let payload = Self.body(20_000)
            let response = try await Curl.request(port: port, "/slow-shadow", method: "POST", body: payload)
            #expect(response.status == 200)
            #expect(try response.echoed().bodyLength == payload.count)
            // The client is done; the shadow has the whole request and has not answered (it never does).
            let held = await hanging.waitForRequests(1)
            #expect(held.count == 1)
            #expect(held.first?.body == payload)
            #expect(try await proxy.stat("cluster.hanging.upstream_rq_active") == 1, "the shadow is still in flight")
            #expect(try await proxy.stat("cluster.hanging.upstream_rq_completed") == 0)
            // And the next request is not held up either.
            #expect(try await Curl.get(port: port, "/next").status == 200)
            #expect(try await proxy.waitForStat("cluster.hanging.upstream_rq_active", atLeast: 2) == 2)
        }
        await primary.stop()
        await hanging.stop()
    }

    @Test("a hanging shadow times out on the route timeout, counted on the shadow cluster")
    func hangingShadowTimesOut() async throws {
        let primary = try await UpstreamServer.start(.respond(body: "ok"), name: "primary")
        let hanging = try await UpstreamServer.start(.hang, name: "hanging")
        let config = Self.config(primary: primary.port, shadows: [("hanging", hanging.port)],
                                 policies: "- cluster: hanging", routeExtra: "timeout: 1s")
        try await TernProcess.with(config: config) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/")
            #expect(response.status == 200 && response.bodyText == "ok")
            #expect(try await proxy.waitForStat("cluster.hanging.upstream_rq_timeout", atLeast: 1, timeout: .seconds(20)) == 1)
            #expect(try await proxy.waitForStat("cluster.hanging.upstream_rq_504", atLeast: 1) == 1)
            #expect(try await proxy.stat("cluster.svc.upstream_rq_timeout") == 0)
        }
        await primary.stop()
        await hanging.stop()
    }

    @Test("two policies make two shadows; a policy at 0% mirrors nothing")
    func severalPoliciesAndFractions() async throws {
        let primary = try await UpstreamServer.start(.respond(body: "ok"), name: "primary")
        let first = try await UpstreamServer.start(.respond(body: "1"), name: "first")
        let second = try await UpstreamServer.start(.respond(body: "2"), name: "second")
        let never = try await UpstreamServer.start(.respond(body: "0"), name: "never")
        let policies = """
            - cluster: first
            - cluster: second
              runtime_fraction: { default_value: { numerator: 100, denominator: HUNDRED } }
            - cluster: never
              runtime_fraction: { default_value: { numerator: 0 } }
            """
        let config = Self.config(primary: primary.port,
                                 shadows: [("first", first.port), ("second", second.port), ("never", never.port)],
                                 policies: policies)
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let payload = Self.body(3000)
            for i in 0..<5 {
                let response = try await Curl.request(port: port, "/r\(i)", method: "POST", body: payload)
                #expect(response.status == 200 && response.bodyText == "ok")
            }
            let one = await first.waitForRequests(5)
            let two = await second.waitForRequests(5)
            #expect(one.map(\.uri) == (0..<5).map { "/r\($0)" })
            #expect(two.map(\.uri) == (0..<5).map { "/r\($0)" })
            #expect(one.allSatisfy { $0.body == payload } && two.allSatisfy { $0.body == payload })
            // Shadows start with the primary request, so by now a 0% shadow would have been counted.
            #expect(try await proxy.stat("cluster.never.upstream_rq_total") == 0)
            #expect(never.requests.isEmpty)
        }
        for server in [primary, first, second, never] { await server.stop() }
    }

    @Test("cluster_header picks the shadow per request; the -shadow suffix can be turned off or replaced")
    func clusterHeaderAndHostOptions() async throws {
        let primary = try await UpstreamServer.start(.respond(body: "ok"), name: "primary")
        let picked = try await UpstreamServer.start(.respond(body: "p"), name: "picked")
        let plain = try await UpstreamServer.start(.respond(body: "n"), name: "plain")
        let literal = try await UpstreamServer.start(.respond(body: "l"), name: "literal")
        let policies = """
            - cluster_header: x-mirror-to
            - cluster: plain
              disable_shadow_host_suffix_append: true
            - cluster: literal
              host_rewrite_literal: mirror.internal
            """
        let config = Self.config(primary: primary.port,
                                 shadows: [("picked", picked.port), ("plain", plain.port), ("literal", literal.port)],
                                 policies: policies)
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let host = "host: shop.example.com"
            #expect(try await Curl.get(port: port, "/one", headers: [host, "x-mirror-to: picked"]).status == 200)
            #expect(try await Curl.get(port: port, "/two", headers: [host]).status == 200)
            #expect(try await Curl.get(port: port, "/three", headers: [host, "x-mirror-to: no-such-cluster"]).status == 200)
            let plainSeen = await plain.waitForRequests(3)
            let literalSeen = await literal.waitForRequests(3)
            #expect(plainSeen.map(\.uri) == ["/one", "/two", "/three"])
            #expect(plainSeen.allSatisfy { $0.headers["host"] == "shop.example.com" })
            #expect(literalSeen.count == 3 && literalSeen.allSatisfy { $0.headers["host"] == "mirror.internal" })
            // Only the request naming an existing cluster was mirrored by the header policy; the
            // shadows of one request start together, so by now /one's would have arrived.
            #expect(await picked.waitForRequests(1).map(\.uri) == ["/one"])
            #expect(picked.requests.first?.headers["host"] == "shop.example.com-shadow")
            #expect(try await proxy.stat("cluster.picked.upstream_rq_total") == 1)
        }
        for server in [primary, picked, plain, literal] { await server.stop() }
    }

    @Test("request trailers reach the shadow after the last chunk", .ternOnly)
    // Tern-only: Envoy's HTTP/1 codec drops request trailers unless `enable_trailers` is set on both
    // the listener and the cluster; Tern always forwards them, to the primary and the shadow alike.
    func mirrorsTrailers() async throws {
        let primary = try await UpstreamServer.start(.respond(body: "ok"), name: "primary")
        let raw = try await RawRecordingServer.start()
        let config = Self.config(primary: primary.port, shadows: [("raw", raw.port)], policies: "- cluster: raw")
        try await TernProcess.with(config: config) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("ingress"))
            try await connection.send("POST /t HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\nx-checksum: abc\r\n\r\n")
            let read = try await connection.readResponses(1)
            #expect(read.responses.first?.status == 200)
            await connection.close()
            let complete = await waitUntil { raw.receivedText.hasSuffix("0\r\nx-checksum: abc\r\n\r\n") }
            #expect(complete, "the shadow got: \(raw.receivedText)")
            let text = raw.receivedText
            #expect(text.hasPrefix("POST /t HTTP/1.1\r\n"))
            #expect(text.lowercased().contains("\r\nhost: x-shadow\r\n"))
            #expect(text.contains("hello") && text.contains(" world"))
        }
        await primary.stop()
        await raw.stop()
    }

    @Test("a shadow that cannot keep up is abandoned and counted; the client's upload is not held back",
          .ternOnly)  // Envoy's streaming shadow applies backpressure to the client instead.
    func slowShadowIsAbandoned() async throws {
        let primary = try await UpstreamServer.start(.echo, name: "primary")
        let silent = try await SilentServer.start()
        let config = Self.config(primary: primary.port, shadows: [("slow", silent.port)], policies: "- cluster: slow")
        try await TernProcess.with(config: config) { proxy in
            // Far more than the kernel buffers and the 1 MiB buffer limit can hold for the shadow.
            let payload = Self.body(16 * 1024 * 1024)
            let response = try await Curl.request(port: try await proxy.listenerPort("ingress"), "/big",
                                                  method: "POST", body: payload, timeout: .seconds(60))
            #expect(response.status == 200)
            let echoed = try response.echoed()
            #expect(echoed.bodyLength == payload.count)
            #expect(echoed.bodyChecksum == Checksum.fnv1a(payload))
            #expect(silent.connectionCount == 1)
            let abandoned = await waitUntil {
                (try? await proxy.stat("cluster.svc.retry_or_shadow_abandoned")) == 1
            }
            #expect(abandoned, "Envoy's stat for a given-up shadow, charged to the primary cluster")
            #expect(try await proxy.stat("cluster.slow.upstream_rq_tx_reset") == 1)
            #expect(try await proxy.stat("cluster.slow.upstream_rq_active") == 0)
        }
        await primary.stop()
        await silent.stop()
    }
}
