// HTTP/2 upstream streams against an in-process swift-nio-http2 server that echoes, resets,
// hangs or stops reading: trailers both ways across HTTP/1.1 ⇄ HTTP/2, resets before and after
// the response started, retries, per-try timeouts and mirroring over h2, and flow control in
// both directions (a slow reader on one side stops the other instead of Tern buffering).

import Foundation
import Testing
import TernTestSupport

@Suite("HTTP/2 upstream streams", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct HTTP2UpstreamStreamTests {
    static func config(_ upstream: Int, routeExtra: String = "", hcmExtra: String = "", h2Options: String = "{}") -> String {
        EnvoyConfig.httpProxy(to: upstream, routeExtra: routeExtra, hcmExtra: hcmExtra,
                              clusterExtra: HTTP2UpstreamTests.h2Cluster(h2Options))
    }

    /// Tern-only: Envoy's HTTP/1.1 codec drops trailers unless `enable_trailers` is set.
    @Test("HTTP/1.1 chunked request trailers become trailing HEADERS; the upstream's trailers come back chunked", .ternOnly)
    func trailersBothWaysFromHTTP1() async throws {
        let upstream = try await HTTP2EchoUpstream.start(.echo)
        try await TernProcess.with(config: Self.config(upstream.port)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let conn = try await RawConnection.connect(port: port)
            try await conn.send("POST /t HTTP/1.1\r\nHost: svc.example\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\n\r\n"
                                + "5\r\nhello\r\n0\r\nx-client-trailer: abc\r\n\r\n")
            let read = try await conn.readResponses(1)
            await conn.close()
            let text = read.text
            #expect(read.responses.first?.status == 200, "\(text)")
            #expect(read.responses.first?.bodyText == "hello")
            #expect(text.contains("x-upstream-trailer: done"), "\(text)")
            #expect(text.contains("x-echoed-x-client-trailer: abc"), "\(text)")
            let seen = try #require(upstream.requests.first)
            #expect(seen.method == "POST")
            #expect(seen.authority == "svc.example")
            #expect(seen.scheme == "http")
            #expect(seen.header("host") == nil && seen.header("transfer-encoding") == nil)
            #expect(seen.header("te") == "trailers")
            #expect(seen.bodyBytes == 5)
            #expect(seen.trailers.map(\.name) == ["x-client-trailer"])
        }
        await upstream.stop()
    }

    @Test("an h2 cluster whose host refuses connections answers 503 UF")
    func connectFailure() async throws {
        let dead = try await UnusedPort.next()
        try await TernProcess.with(config: Self.config(dead)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.get(port: port, "/dead")
            #expect(response.status == 503)
            #expect(response.bodyText.hasPrefix("upstream connect error or disconnect/reset before headers. reset reason: remote connection failure"),
                    "\(response.bodyText)")
            #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_connect_fail", atLeast: 1) >= 1)
        }
    }

    @Test("an h2 cluster whose host speaks only HTTP/1.1 answers 502 protocol error instead of waiting")
    func notAnHTTP2Server() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        // A route timeout far beyond curl's own 15 s: only the failure itself can answer in time.
        try await TernProcess.with(config: Self.config(upstream.port, routeExtra: "timeout: 120s")) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.get(port: port, "/h1")
            #expect(response.status == 502, "\(response)")
            #expect(response.bodyText == "upstream connect error or disconnect/reset before headers. reset reason: protocol error")
        }
        await upstream.stop()
    }

    @Test("an idle upstream HTTP/2 connection closes after the cluster's idle_timeout")
    func idleTimeout() async throws {
        let upstream = try await HTTP2EchoUpstream.start(.download(10))
        let cluster = HTTP2UpstreamTests.h2Cluster().replacingOccurrences(
            of: "explicit_http_config:", with: "common_http_protocol_options: { idle_timeout: 0.3s }\n    explicit_http_config:")
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, clusterExtra: cluster)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/a").status == 200)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_idle_timeout", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_destroy_local", atLeast: 1) == 1)
            // The next request opens a new connection.
            #expect(try await Curl.get(port: port, "/b").status == 200)
            #expect(upstream.connectionCount == 2)
        }
        await upstream.stop()
    }

    @Test("an h2 client's request trailers reach an h2 upstream as trailing HEADERS, and its trailers come back",
          .requires(.nghttp))
    func trailersBothWaysFromHTTP2() async throws {
        let upstream = try await HTTP2EchoUpstream.start(.echo)
        let dir = try TemporaryDirectory(prefix: "nghttp-body")
        defer { dir.remove() }
        let body = try dir.write("body", "ping")
        try await TernProcess.with(config: Self.config(upstream.port, hcmExtra: "codec_type: HTTP2")) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let out = try await ProcessRunner.run(try Peer.nghttp.require(),
                                                  ["-v", "-d", body.path, "--trailer", "x-client-trailer: abc",
                                                   "http://127.0.0.1:\(port)/t"])
            let text = out.stdoutText
            #expect(text.contains("x-echoed-x-client-trailer: abc"), "\(text)")
            #expect(text.contains("x-upstream-trailer: done"), "\(text)")
            let seen = try #require(upstream.requests.first)
            #expect(seen.bodyBytes == 4)
            #expect(seen.trailers.map(\.name) == ["x-client-trailer"])
        }
        await upstream.stop()
    }

    @Test("a stream reset before the response is a 503 naming the remote reset")
    func resetBeforeHeaders() async throws {
        let upstream = try await HTTP2EchoUpstream.start(.resetBeforeHeaders)
        try await TernProcess.with(config: Self.config(upstream.port)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.get(port: port, "/r")
            #expect(response.status == 503)
            #expect(response.bodyText == "upstream connect error or disconnect/reset before headers. reset reason: remote reset")
            #expect(try await proxy.waitForStat("cluster.svc.http2.rx_reset", atLeast: 1) == 1)
            #expect(try await proxy.stat("cluster.svc.upstream_rq_rx_reset") == 1)
        }
        await upstream.stop()
    }

    @Test("a stream reset mid-response resets the client's stream", arguments: [false, true])
    func resetAfterResponseStarted(http2Client: Bool) async throws {
        let upstream = try await HTTP2EchoUpstream.start(.resetAfterBytes(1000))
        let hcm = http2Client ? "codec_type: HTTP2" : ""
        try await TernProcess.with(config: Self.config(upstream.port, hcmExtra: hcm)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.request(port: port, "/r", http2: http2Client)
            #expect(response.exitCode != 0, "the client must see the response cut short: \(response)")
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_rx_reset", atLeast: 1) == 1)
        }
        await upstream.stop()
    }

    @Test("retry_on reset retries a reset stream on a new stream")
    func retryAfterReset() async throws {
        let upstream = try await HTTP2EchoUpstream.start(.resetFirst(1))
        let route = "retry_policy: { retry_on: reset, num_retries: 2, retry_back_off: { base_interval: 0.005s } }"
        try await TernProcess.with(config: Self.config(upstream.port, routeExtra: route)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.get(port: port, "/retry")
            #expect(response.status == 200, "\(response)")
            #expect(upstream.requests.count == 2)
            #expect(try await proxy.stat("cluster.svc.upstream_rq_retry") == 1)
            // Both attempts shared the one connection.
            #expect(upstream.connectionCount == 1)
        }
        await upstream.stop()
    }

    @Test("per_try_timeout resets the hanging stream and tries again; then 504")
    func perTryTimeout() async throws {
        let upstream = try await HTTP2EchoUpstream.start(.hang)
        let route = """
            timeout: 10s
            retry_policy: { retry_on: 5xx, num_retries: 1, per_try_timeout: 0.3s, retry_back_off: { base_interval: 0.005s } }
            """
        try await TernProcess.with(config: Self.config(upstream.port, routeExtra: route)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.get(port: port, "/slow")
            #expect(response.status == 504, "\(response)")
            #expect(upstream.streamCount == 2)
            #expect(try await proxy.stat("cluster.svc.upstream_rq_per_try_timeout") == 2)
            #expect(try await proxy.waitForStat("cluster.svc.http2.tx_reset", atLeast: 2) == 2)
        }
        await upstream.stop()
    }

    @Test("a request mirrored to an h2 cluster arrives there with its body")
    func mirrorToH2Cluster() async throws {
        let primary = try await UpstreamServer.start(.echo)
        let shadow = try await HTTP2EchoUpstream.start(.echo)
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(
                to: "svc", routeExtra: "request_mirror_policies:\n- cluster: mirror"))],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: primary.port),
                       EnvoyConfig.staticCluster(name: "mirror", port: shadow.port, extra: HTTP2UpstreamTests.h2Cluster())])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let body = Array(repeating: UInt8(ascii: "m"), count: 100_000)
            let response = try await Curl.request(port: port, "/mirror", method: "POST", headers: ["host: app"], body: body)
            #expect(response.status == 200)
            #expect(await waitUntil { shadow.requests.first?.ended == true }, "the shadow got the whole request")
            let seen = try #require(shadow.requests.first)
            #expect(seen.authority == "app-shadow")
            #expect(seen.bodyBytes == body.count)
            #expect(try await proxy.waitForStat("cluster.mirror.upstream_cx_http2_total", atLeast: 1) == 1)
        }
        await primary.stop()
        await shadow.stop()
    }

    @Test("max_requests limits the streams open at once on h2 clusters too: the rest get 503 UO")
    func maxRequestsCircuitBreaker() async throws {
        let upstream = try await HTTP2EchoUpstream.start(.hang)
        let cluster = HTTP2UpstreamTests.h2Cluster() + "\ncircuit_breakers: { thresholds: [{ max_requests: 2 }] }"
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, routeExtra: "timeout: 2s",
                                                                 clusterExtra: cluster)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let responses = try await withThrowingTaskGroup(of: CurlResponse.self) { group in
                for i in 0..<5 { group.addTask { try await Curl.get(port: port, "/cb\(i)") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let overloaded = responses.filter { $0.status == 503 && $0.headers["x-envoy-overloaded"] == "true" }
            #expect(overloaded.count == 3, "\(responses.map(\.status))")
            #expect(responses.filter { $0.status == 504 }.count == 2, "the two admitted streams hang until the route timeout")
            #expect(upstream.streamCount == 2)
            #expect(upstream.connectionCount == 1)
        }
        await upstream.stop()
    }

    @Test("max_requests_per_connection: an upstream HTTP/2 connection carries that many streams, then a new one is opened")
    func maxRequestsPerConnection() async throws {
        let upstream = try await HTTP2EchoUpstream.start(.download(2))
        let cluster = HTTP2UpstreamTests.h2Cluster() + "\nmax_requests_per_connection: 3"
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, clusterExtra: cluster)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for i in 0..<7 { #expect(try await Curl.get(port: port, "/m\(i)").status == 200) }
            #expect(upstream.streamCount == 7)
            #expect(upstream.connectionCount == 3)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_max_requests", atLeast: 2) == 2)
        }
        await upstream.stop()
    }

    /// Tern-only: Tern has no extended CONNECT, so it refuses what Envoy would try over HTTP/2.
    @Test("an upgrade routed to an h2 cluster is refused with 503", .ternOnly)
    func upgradeRefused() async throws {
        let upstream = try await HTTP2EchoUpstream.start(.echo)
        try await TernProcess.with(config: Self.config(upstream.port, hcmExtra: "upgrade_configs: [{ upgrade_type: websocket }]")) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.get(port: port, "/ws", headers: ["connection: Upgrade", "upgrade: websocket"])
            #expect(response.status == 503, "\(response)")
            #expect(upstream.streamCount == 0)
        }
        await upstream.stop()
    }

    @Test("an upstream that stops reading stops the client's upload (no unbounded buffering)", arguments: [false, true])
    func slowUpstreamReader(http2Client: Bool) async throws {
        let upstream = try await HTTP2EchoUpstream.start(.neverRead)
        // Downstream HTTP/2 windows bound what the client may send ahead (Envoy's default is 256 MiB).
        let hcm = http2Client
            ? "codec_type: HTTP2\nhttp2_protocol_options: { initial_stream_window_size: 65535, initial_connection_window_size: 65535 }"
            : ""
        try await TernProcess.with(config: Self.config(upstream.port, hcmExtra: hcm)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let body = Array(repeating: UInt8(ascii: "u"), count: 64 * 1024 * 1024)
            let response = try await Curl.request(port: port, "/upload", method: "POST", body: body,
                                                  extra: ["-w", "%{size_upload}"], http2: http2Client, timeout: .seconds(4))
            // curl gives up after its timeout, having sent only what the buffers on the way hold.
            #expect(response.exitCode != 0)
            let sent = try await proxy.stat("cluster.svc.upstream_cx_tx_bytes_total")
            #expect(sent < 16 * 1024 * 1024, "Tern took \(sent) bytes of a request the upstream does not read")
        }
        await upstream.stop()
    }

    @Test("a slow client stops reading the upstream: the HTTP/2 window holds the rest back")
    func slowDownstreamReader() async throws {
        let upstream = try await HTTP2EchoUpstream.start(.download(64 * 1024 * 1024))
        let h2 = "{ initial_stream_window_size: 65535, initial_connection_window_size: 65535 }"
        try await TernProcess.with(config: Self.config(upstream.port, h2Options: h2)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.request(port: port, "/download", extra: ["--limit-rate", "256K"], timeout: .seconds(3))
            #expect(response.exitCode != 0, "curl stops at its timeout, long before 64 MiB at 256 KiB/s")
            let received = try await proxy.stat("cluster.svc.upstream_cx_rx_bytes_total")
            let handedOn = try await proxy.stat("http.ingress.downstream_cx_tx_bytes_total")
            // What Tern holds itself: read from the upstream and not yet handed to the client's
            // socket. The rest sits in the loopback sockets' buffers, which the kernel grows
            // with the transfer (tcp_rmem allows 32 MiB here): bounded, but not by Tern.
            #expect(received - handedOn < 1024 * 1024, "Tern holds \(received - handedOn) bytes for a client that does not read")
            #expect(received < 48 * 1024 * 1024, "Tern read \(received) bytes for a client that took under 1 MiB")
        }
        await upstream.stop()
    }
}
