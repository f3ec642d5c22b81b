// gRPC end to end: a real grpcio client → the proxy (h2c downstream) → a real grpcio server
// (h2c upstream: the cluster's HttpProtocolOptions say explicit HTTP/2). All four call types
// with their metadata, trailers, statuses and messages intact, 1 MiB messages, 50 calls at once
// on one client connection, an upstream that dies mid-call, and a slow method past the route
// timeout. Every expectation was checked against Envoy 1.40 (TERN_TEST_PROXY=envoy).

import Foundation
import Testing
import TernTestSupport

@Suite("gRPC through the proxy", .requires(.python), .timeLimit(.minutes(5)), .proxyLogsOnFailure)
struct GRPCProxyTests {
    /// Cluster fields that make the upstream HTTP/2 (h2c), as Envoy configures it.
    static let http2Upstream = """
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        explicit_http_config: { http2_protocol_options: {} }
    """

    /// Listener "ingress" (codec AUTO: the client's h2c preface selects HTTP/2) → cluster "svc".
    static func config(_ server: PythonGRPCEchoServer, routeExtra: String = "") -> String {
        EnvoyConfig.httpProxy(to: server.port, routeExtra: routeExtra, clusterExtra: http2Upstream)
    }

    /// Runs `body` with an echo server and a proxy in front of it.
    static func withProxy(routeExtra: String = "", _ body: (TernProcess, Int) async throws -> Void) async throws {
        let server = try await PythonGRPCEchoServer.start()
        do {
            try await TernProcess.with(config: config(server, routeExtra: routeExtra)) { proxy in
                try await body(proxy, try await proxy.listenerPort("ingress"))
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("unary, client-streaming, server-streaming and bidi calls: messages, metadata and trailers intact")
    func fourCallTypes() async throws {
        try await Self.withProxy { proxy, port in
            let results = try await GRPCClient.run(port: port, [
                GRPCCall("Unary", sizes: [100], metadata: ["x-tag": "unary"]),
                GRPCCall("ClientStream", sizes: [1, 200, 3000], metadata: ["x-tag": "client"]),
                GRPCCall("ServerStream", sizes: [50], metadata: ["x-tag": "server", "x-count": "5"]),
                GRPCCall("Bidi", sizes: [7, 70, 700, 7000], metadata: ["x-tag": "bidi"]),
            ])
            #expect(results.count == 4)
            for (result, tag) in zip(results, ["unary", "client", "server", "bidi"]) {
                #expect(result.code == "OK", "\(tag): \(result)")
                #expect(result.echoOK, "\(tag): \(result)")
                #expect(result.initial["x-initial"] == "i-\(tag)", "initial metadata: \(result)")
                #expect(result.trailing["x-trailer"] == "t-\(tag)", "trailing metadata: \(result)")
            }
            #expect(results[1].trailing["x-count"] == "3")
            #expect(results[2].sizes == [51, 51, 51, 51, 51])
            #expect(results[3].trailing["x-count"] == "4")
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_200", atLeast: 4) == 4)
        }
    }

    @Test("an error status from the server passes through: with a body, trailers-only, and after messages")
    func serverErrorStatusesPassThrough() async throws {
        try await Self.withProxy { _, port in
            let results = try await GRPCClient.run(port: port, [
                GRPCCall("Unary", metadata: ["x-tag": "a", "x-status": "NOT_FOUND", "x-message": "no such thing: 100% ~gone"]),
                GRPCCall("Unary", metadata: ["x-tag": "b", "x-status": "NOT_FOUND", "x-message": "nothing", "x-trailers-only": "1"]),
                GRPCCall("ServerStream", metadata: ["x-tag": "c", "x-count": "3", "x-status": "RESOURCE_EXHAUSTED", "x-message": "enough"]),
                GRPCCall("Bidi", sizes: [1, 2], metadata: ["x-tag": "d", "x-status": "ABORTED"]),
            ])
            #expect(results.map(\.code) == ["NOT_FOUND", "NOT_FOUND", "RESOURCE_EXHAUSTED", "ABORTED"], "\(results)")
            #expect(results.map(\.details) == ["no such thing: 100% ~gone", "nothing", "enough", ""])
            #expect(results.map { $0.trailing["x-trailer"] } == ["t-a", "t-b", "t-c", "t-d"], "custom trailers kept")
            #expect(results[2].sizes == [17, 17, 17], "messages before the error arrive")
            #expect(results[3].sizes == [1, 2], "each message answered before the error")
        }
    }

    @Test("1 MiB messages both ways, for every call type")
    func oneMebibyteMessages() async throws {
        let mib = 1 << 20
        try await Self.withProxy { _, port in
            let results = try await GRPCClient.run(port: port, [
                GRPCCall("Unary", sizes: [mib]),
                GRPCCall("ClientStream", sizes: [mib, mib]),
                GRPCCall("ServerStream", sizes: [mib], metadata: ["x-count": "2"]),
                GRPCCall("Bidi", sizes: [mib, mib]),
            ])
            for result in results { #expect(result.echoOK, "\(result)") }
            #expect(results.map(\.sizes) == [[mib], [2 * mib], [mib + 1, mib + 1], [mib, mib]])
        }
    }

    @Test("50 calls at once from one client connection all reach the server together and succeed")
    func fiftyConcurrentCalls() async throws {
        try await Self.withProxy { proxy, port in
            // Each call waits in the server until all 50 are there, so they must be in flight
            // through the proxy at the same time.
            let results = try await GRPCClient.run(port: port, [
                GRPCCall("Unary", sizes: [1000], metadata: ["x-barrier": "50"], parallel: 50),
            ])
            #expect(results.count == 50)
            #expect(results.allSatisfy { $0.code == "OK" && $0.echoOK }, "\(results.filter { !$0.echoOK }.prefix(3))")
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_2xx", atLeast: 50) == 50)
            #expect(try await proxy.stat("http.ingress.downstream_cx_total") == 1, "one client connection")
            #expect(try await proxy.stat("cluster.svc.upstream_cx_http2_total") >= 1, "HTTP/2 to the server")
        }
    }

    @Test("a slow method past the route timeout: UNAVAILABLE 'upstream request timeout'")
    func routeTimeoutOnSlowMethod() async throws {
        try await Self.withProxy(routeExtra: "timeout: 0.3s") { proxy, port in
            let results = try await GRPCClient.run(port: port, [
                GRPCCall("Unary", metadata: ["x-sleep-ms": "3000"], timeout: 20),
                GRPCCall("ClientStream", sizes: [5, 5], metadata: ["x-sleep-ms": "3000"], timeout: 20),
            ])
            for result in results {
                #expect(result.code == "UNAVAILABLE", "\(result)")
                #expect(result.details == "upstream request timeout")
            }
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_timeout", atLeast: 2) == 2)
        }
    }

    @Test("grpc_timeout_header_max: the server is given the capped deadline; a slower method gets DEADLINE_EXCEEDED")
    func grpcTimeoutReachesTheServer() async throws {
        try await Self.withProxy(routeExtra: "max_stream_duration: { grpc_timeout_header_max: 1s }") { _, port in
            let results = try await GRPCClient.run(port: port, [
                GRPCCall("Unary", timeout: 30),
                GRPCCall("Bidi", sizes: [3], metadata: ["x-sleep-ms": "5000"], timeout: 30),
            ])
            #expect(results[0].code == "OK", "\(results[0])")
            let seen = results[0].trailing["x-seen-timeout-ms"].flatMap(Int.init)
            #expect(seen.map { (500...1000).contains($0) } == true, "the server's deadline: \(results[0])")
            // The server was given the same deadline as the proxy's timer: whichever fires
            // first answers, both with DEADLINE_EXCEEDED.
            #expect(results[1].code == "DEADLINE_EXCEEDED", "\(results[1])")
            #expect(["downstream duration timeout", "Deadline Exceeded"].contains(results[1].details), "\(results[1])")
        }
    }

    @Test("an upstream RST_STREAM or GOAWAY before any answer: UNAVAILABLE with the reset reason", arguments: [
        PythonHTTP2ResetServer.Answer.reset(errorCode: 2), .goAway(errorCode: 2),
    ])
    func upstreamResetBeforeHeaders(_ answer: PythonHTTP2ResetServer.Answer) async throws {
        let server = try await PythonHTTP2ResetServer.start(answer)
        let config = EnvoyConfig.httpProxy(to: server.port, clusterExtra: Self.http2Upstream)
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let result = try await GRPCClient.call(port: port, GRPCCall("Unary"))
            #expect(result.code == "UNAVAILABLE", "\(answer): \(result)")
            let reason: String
            switch answer {
            case .reset: reason = "remote reset"
            case .goAway: reason = "remote refused stream reset"  // GOAWAY last stream 0: never processed
            }
            #expect(result.details == "upstream connect error or disconnect/reset before headers. reset reason: \(reason)",
                    "\(answer): \(result)")
        }
        await server.stop()
    }

    @Test("an upstream that dies before answering: UNAVAILABLE; after its headers: the call is reset")
    func upstreamDiesMidCall() async throws {
        try await Self.withProxy { _, port in
            let result = try await GRPCClient.call(port: port, GRPCCall("Unary", metadata: ["x-exit": "before-headers"]))
            #expect(result.code == "UNAVAILABLE", "\(result)")
            #expect(result.details.hasPrefix("upstream connect error or disconnect/reset before headers. reset reason: "),
                    "\(result)")
            let next = try await GRPCClient.call(port: port, GRPCCall("Unary"))
            #expect(next.code == "UNAVAILABLE", "no server any more: \(next)")
            #expect(next.details.hasPrefix("upstream connect error or disconnect/reset before headers"), "\(next)")
        }
        try await Self.withProxy { _, port in
            // The response headers went out: the proxy can only reset the stream (Envoy:
            // RST_STREAM INTERNAL_ERROR, which grpcio reports as INTERNAL).
            let result = try await GRPCClient.call(port: port, GRPCCall("ServerStream", metadata: ["x-exit": "after-headers"]))
            #expect(result.code == "INTERNAL", "\(result)")
            #expect(result.initial["x-initial"] == "i-", "the server's headers arrived first")
        }
    }
}
