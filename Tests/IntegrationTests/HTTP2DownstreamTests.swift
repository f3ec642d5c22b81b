// HTTP/2 from the client (h2c, prior knowledge) to an HTTP/1.1 upstream, driven by real HTTP/2
// clients: curl --http2-prior-knowledge, h2load and nghttp. The same tests run against Envoy.

import Foundation
import Testing
import TernTestSupport

@Suite("HTTP/2 downstream (h2c)", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct HTTP2DownstreamTests {
    static let http2Only = "codec_type: HTTP2"

    @Test("codec_type HTTP2: a GET arrives upstream as HTTP/1.1 with host from :authority")
    func getOverHTTP2() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.request(port: port, "/h2/get?x=1", headers: ["x-custom: kept"], http2: true)
            #expect(response.exitCode == 0, "\(response)")
            #expect(response.version == "HTTP/2")
            #expect(response.status == 200)
            #expect(response.headers["server"] == "envoy")
            #expect(response.headers["connection"] == nil && response.headers["transfer-encoding"] == nil)
            let seen = try response.echoed()
            #expect(seen.method == "GET")
            #expect(seen.uri == "/h2/get?x=1")
            #expect(seen.version == "HTTP/1.1")
            #expect(seen.headers["host"] == "127.0.0.1:\(port)")
            #expect(seen.headers["x-custom"] == "kept")
            #expect(seen.headers["x-forwarded-proto"] == "http")
            #expect(seen.headers["x-request-id"] != nil)
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_http2_total", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_http2_total", atLeast: 1) == 1)
            #expect(try await proxy.stat("http.ingress.downstream_rq_http1_total") == 0)
            // curl closed the connection.
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_destroy_remote", atLeast: 1) == 1)
            #expect(try await proxy.stat("http.ingress.downstream_cx_http2_active") == 0)
        }
        await upstream.stop()
    }

    @Test("a POST body of 384 KiB reaches the upstream intact")
    func postBody() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let body = (0..<(384 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
            let response = try await Curl.request(port: port, "/upload", method: "POST", body: body, http2: true)
            #expect(response.status == 200, "\(response)")
            let seen = try response.echoed()
            #expect(seen.method == "POST")
            #expect(seen.bodyLength == body.count)
            #expect(upstream.requests.first?.body == body)
        }
        await upstream.stop()
    }

    @Test("a POST body without content-length is sent upstream chunked")
    func postBodyWithoutContentLength() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let body = Array(repeating: UInt8(ascii: "z"), count: 100_000)
            // `transfer-encoding: chunked` makes curl leave content-length out; over HTTP/2 it
            // sends only DATA frames (the header itself is not sent).
            let response = try await Curl.request(port: port, "/stream", method: "POST",
                                                  headers: ["transfer-encoding: chunked"], body: body, http2: true)
            #expect(response.status == 200, "\(response)")
            let recorded = try #require(upstream.requests.first)
            #expect(recorded.body == body)
            #expect(recorded.headers["transfer-encoding"] == "chunked")
        }
        await upstream.stop()
    }

    @Test("a large response body comes back over HTTP/2")
    func largeResponse() async throws {
        let text = String(repeating: "0123456789abcdef", count: 32 * 1024)  // 512 KiB
        let upstream = try await UpstreamServer.start(.respond(body: text))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.request(port: port, "/big", http2: true)
            #expect(response.status == 200)
            #expect(response.body.count == text.utf8.count)
            #expect(response.bodyText == text)
        }
        await upstream.stop()
    }

    @Test("a 4 MiB response to a client with 64 KiB windows arrives whole (flow control)", .requires(.nghttp))
    func responseUnderClientFlowControl() async throws {
        let text = String(repeating: "0123456789abcdef", count: 256 * 1024)
        let upstream = try await UpstreamServer.start(.respond(body: text))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            // -w/-W 16: stream and connection windows of 2^16-1, so the proxy must wait for the
            // client's WINDOW_UPDATEs many times over, and pause its upstream meanwhile.
            let output = try await ProcessRunner.run(try Peer.nghttp.require(),
                                                     ["-w", "16", "-W", "16", "http://127.0.0.1:\(port)/big"],
                                                     timeout: .seconds(60))
            #expect(output.exitCode == 0, "\(output.stderrText)")
            #expect(output.stdout.count == text.utf8.count)
            #expect(output.stdoutText == text)
        }
        await upstream.stop()
    }

    @Test("h2load: 200 requests, 10 concurrent streams on each of 2 connections", .requires(.h2load))
    func manyConcurrentStreams() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let output = try await ProcessRunner.run(try Peer.h2load.require(),
                                                     ["-n", "200", "-c", "2", "-m", "10", "http://127.0.0.1:\(port)/load"],
                                                     timeout: .seconds(60))
            #expect(output.exitCode == 0, "\(output.stderrText)")
            #expect(output.stdoutText.contains("200 succeeded, 0 failed, 0 errored"), "\(output.stdoutText)")
            #expect(output.stdoutText.contains("status codes: 200 2xx"), "\(output.stdoutText)")
            #expect(upstream.requests.count == 200)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_http2_total", atLeast: 200) == 200)
            #expect(try await proxy.stat("http.ingress.downstream_cx_http2_total") == 2)
        }
        await upstream.stop()
    }

    @Test("h2load POSTs: 100 bodies of 64 KiB over one connection", .requires(.h2load))
    func concurrentBodies() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let dir = try TemporaryDirectory(prefix: "h2load")
            defer { dir.remove() }
            let file = dir.file("body")
            try Data(repeating: 0x61, count: 64 * 1024).write(to: file)
            let output = try await ProcessRunner.run(try Peer.h2load.require(),
                                                     ["-n", "100", "-c", "1", "-m", "20", "-d", file.path,
                                                      "http://127.0.0.1:\(port)/post"],
                                                     timeout: .seconds(60))
            #expect(output.stdoutText.contains("100 succeeded, 0 failed, 0 errored"), "\(output.stdoutText)\(output.stderrText)")
            #expect(upstream.requests.count == 100)
            #expect(upstream.requests.allSatisfy { $0.method == "POST" && $0.body.count == 64 * 1024 })
        }
        await upstream.stop()
    }

    @Test("codec_type AUTO serves HTTP/1.1 and h2c on one port")
    func autoServesBoth() async throws {
        let upstream = try await UpstreamServer.start(.echo)
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: "codec_type: AUTO")) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let h1 = try await Curl.request(port: port, "/one")
            #expect(h1.status == 200 && h1.version == "HTTP/1.1", "\(h1)")
            let h2 = try await Curl.request(port: port, "/two", method: "POST", body: Array("hello".utf8), http2: true)
            #expect(h2.status == 200 && h2.version == "HTTP/2", "\(h2)")
            #expect(try h2.echoed().body == "hello")
            // A request line starting like the preface ("P") is still HTTP/1.1.
            let put = try await Curl.request(port: port, "/three", method: "PUT", body: Array("x".utf8))
            #expect(put.status == 200 && put.version == "HTTP/1.1", "\(put)")
            #expect(upstream.requests.map(\.uri) == ["/one", "/two", "/three"])
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_http1_total", atLeast: 2) == 2)
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_http2_total", atLeast: 1) == 1)
            #expect(try await proxy.stat("http.ingress.downstream_cx_total") == 3)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_http2_total", atLeast: 1) == 1)
            #expect(try await proxy.stat("http.ingress.downstream_rq_http1_total") == 2)
        }
        await upstream.stop()
    }

    @Test("local replies (no route, direct_response) go out on their stream; a refused body is reset")
    func localReplies() async throws {
        let hosts = """
            - name: local
              domains: ["*"]
              routes:
              - match: { prefix: "/direct" }
                direct_response: { status: 200, body: { inline_string: "direct" } }
            """
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: hosts, hcmExtra: Self.http2Only)], clusters: [])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let missing = try await Curl.request(port: port, "/nowhere", http2: true)
            #expect(missing.status == 404 && missing.version == "HTTP/2", "\(missing)")
            let direct = try await Curl.request(port: port, "/direct", http2: true)
            #expect(direct.status == 200 && direct.bodyText == "direct", "\(direct)")
            // The answer is complete before the 8 MiB body is: the stream is reset (NO_ERROR)
            // after the response, which curl reports as a stream error (92), as it does with
            // Envoy; if curl managed to send it all first, it simply has the answer.
            let body = Array(repeating: UInt8(ascii: "b"), count: 8 * 1024 * 1024)
            let early = try await Curl.request(port: port, "/direct", method: "POST", body: body, http2: true)
            #expect(early.exitCode == 92 || (early.status == 200 && early.bodyText == "direct"), "\(early)")
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_http2_total", atLeast: 3) == 3)
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_completed", atLeast: 3) == 3)
        }
    }

    @Test("request trailers after a content-length body are dropped on the way to HTTP/1.1", .requires(.nghttp))
    func requestTrailersDropped() async throws {
        let raw = try await RawRecordingServer.start()
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: raw.port, hcmExtra: Self.http2Only)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let dir = try TemporaryDirectory(prefix: "nghttp")
            defer { dir.remove() }
            let file = dir.file("body")
            try Data("hello trailers".utf8).write(to: file)
            // nghttp sends content-length with -d, so HTTP/1.1 has no place for the trailers. The
            // upstream never answers: nghttp gives up after its timeout; the bytes are what count.
            async let client = ProcessRunner.run(try Peer.nghttp.require(),
                                                 ["-n", "-t", "2", "-d", file.path, "--trailer=x-checksum: abc",
                                                  "http://127.0.0.1:\(port)/t"], timeout: .seconds(20))
            let arrived = await waitUntil { raw.receivedText.hasSuffix("\r\n\r\nhello trailers") }
            _ = try await client
            let text = raw.receivedText
            #expect(arrived, "upstream got: \(text)")
            #expect(text.hasPrefix("POST /t HTTP/1.1\r\n"))
            #expect(text.lowercased().contains("\r\ncontent-length: 14\r\n"))
            #expect(!text.lowercased().contains("\nx-checksum:"), "the trailer became a header or a chunk trailer")
        }
        await raw.stop()
    }

    @Test("response trailers from a chunked HTTP/1.1 upstream go out as trailing HEADERS", .requires(.nghttp), .ternOnly)
    // Tern-only: Envoy's HTTP/1 upstream codec drops response trailers unless the cluster sets
    // `enable_trailers`; Tern always forwards them (as it does to HTTP/1.1 clients).
    func responseTrailers() async throws {
        let upstream = try await RawResponder.start(response: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\nx-checksum: abc\r\n\r\n")
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: Self.http2Only)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let output = try await ProcessRunner.run(try Peer.nghttp.require(), ["-v", "http://127.0.0.1:\(port)/t"])
            let text = output.stdoutText
            #expect(output.exitCode == 0, "\(text)\(output.stderrText)")
            #expect(text.contains("hello"))
            // nghttp prints each received field as `recv (stream_id=N) name: value`.
            #expect(text.contains(") x-checksum: abc"), "\(text)")
            #expect(!text.contains(") transfer-encoding"), "\(text)")
        }
        await upstream.stop()
    }

    @Test("http2_protocol_options reach the client's SETTINGS", .requires(.nghttp))
    func settings() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let options = """
            codec_type: HTTP2
            http2_protocol_options:
              max_concurrent_streams: 7
              initial_stream_window_size: 131072
              initial_connection_window_size: 1048576
            """
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: options)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let output = try await ProcessRunner.run(try Peer.nghttp.require(), ["-nv", "http://127.0.0.1:\(port)/s"])
            let text = output.stdoutText
            #expect(output.exitCode == 0, "\(text)\(output.stderrText)")
            #expect(text.contains("SETTINGS_MAX_CONCURRENT_STREAMS(0x03):7"), "\(text)")
            #expect(text.contains("SETTINGS_INITIAL_WINDOW_SIZE(0x04):131072"), "\(text)")
            // The connection window grows from 65535 to 1 MiB with one WINDOW_UPDATE on stream 0.
            #expect(text.contains("(window_size_increment=983041)"), "\(text)")
        }
        await upstream.stop()
    }
}
