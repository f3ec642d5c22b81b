// grpc-timeout honoured as Envoy does, driven by a real grpcio client against an upstream that
// never answers (it records what it was sent): a route's `max_stream_duration` with
// `grpc_timeout_header_max` limits the stream to the client's deadline (capped, less the offset)
// and ends it with DEADLINE_EXCEEDED 'downstream duration timeout'; the deprecated
// `max_grpc_timeout` makes the deadline the route timeout (UNAVAILABLE 'upstream request
// timeout'). Either way the upstream is sent the adjusted grpc-timeout. Checked against Envoy 1.40.

import Foundation
import Testing
import TernTestSupport

@Suite("gRPC grpc-timeout", .requires(.python, .curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct GRPCTimeoutHeaderTests {
    static func config(port: Int, routeExtra: String) -> String {
        EnvoyConfig.httpProxy(to: port, routeExtra: routeExtra)
    }

    /// The grpc-timeout the upstream was sent, in milliseconds.
    static func forwardedTimeout(_ upstream: UpstreamServer) async -> Int? {
        let requests = await upstream.waitForRequests(1)
        guard let value = requests.first?.headers["grpc-timeout"] else { return nil }
        return GRPCTimeoutValue.milliseconds(value)
    }

    @Test("max_stream_duration with grpc_timeout_header_max: the capped deadline less the offset; the route timeout is off")
    func headerMaxCapsAndOffsets() async throws {
        let upstream = try await UpstreamServer.start(.hang)
        // The route timeout (0.1 s) would answer first if it still applied: a route with
        // max_stream_duration uses only the stream duration, as in Envoy.
        let route = "timeout: 0.1s\nmax_stream_duration: { grpc_timeout_header_max: 0.4s, grpc_timeout_header_offset: 0.1s }"
        try await TernProcess.with(config: Self.config(port: upstream.port, routeExtra: route)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let result = try await GRPCClient.call(port: port, GRPCCall("Unary", timeout: 20))
            #expect(result.code == "DEADLINE_EXCEEDED", "\(result)")
            #expect(result.details == "downstream duration timeout")
            #expect(await Self.forwardedTimeout(upstream) == 300, "min(20 s, 0.4 s) - 0.1 s")
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_max_duration_reached", atLeast: 1) == 1)
            #expect(try await proxy.stat("cluster.svc.upstream_rq_timeout") == 0)
        }
        await upstream.stop()
    }

    @Test("grpc_timeout_header_max 0: the client's own deadline, less the offset, ends the stream")
    func clientDeadlineHonoured() async throws {
        let upstream = try await UpstreamServer.start(.hang)
        let route = "max_stream_duration: { grpc_timeout_header_max: 0s, grpc_timeout_header_offset: 2s }"
        try await TernProcess.with(config: Self.config(port: upstream.port, routeExtra: route)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            // The client gives up after 3 s; the proxy, told to keep 2 s in hand, after about 1 s.
            let result = try await GRPCClient.call(port: port, GRPCCall("ServerStream", timeout: 3))
            #expect(result.code == "DEADLINE_EXCEEDED", "\(result)")
            #expect(result.details == "downstream duration timeout", "the proxy answered, not the client's own deadline")
            let forwarded = await Self.forwardedTimeout(upstream)
            #expect(forwarded.map { (900...1000).contains($0) } == true, "\(String(describing: forwarded))")
        }
        await upstream.stop()
    }

    @Test("max_stream_duration alone: DEADLINE_EXCEEDED for gRPC, 504 for plain HTTP; no header without a cap")
    func maxStreamDurationAlone() async throws {
        let upstream = try await UpstreamServer.start(.hang)
        let route = "max_stream_duration: { max_stream_duration: 0.3s }"
        try await TernProcess.with(config: Self.config(port: upstream.port, routeExtra: route)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let result = try await GRPCClient.call(port: port, GRPCCall("Unary"))
            #expect(result.code == "DEADLINE_EXCEEDED", "\(result)")
            #expect(result.details == "downstream duration timeout")
            #expect(await Self.forwardedTimeout(upstream) == 300, "a gRPC request is sent the stream's limit")
            let plain = try await Curl.get(port: port, "/plain")
            #expect(plain.status == 504, "\(plain)")
            #expect(plain.bodyText == "downstream duration timeout")
            let requests = await upstream.waitForRequests(2)
            #expect(requests.count == 2 && requests[1].headers["grpc-timeout"] == nil, "not gRPC: no grpc-timeout added")
            #expect(try await proxy.waitForStat("http.ingress.downstream_rq_max_duration_reached", atLeast: 2) == 2)
        }
        await upstream.stop()
    }

    @Test("deprecated max_grpc_timeout: the route timeout is the capped deadline, forwarded in grpc-timeout")
    func maxGRPCTimeout() async throws {
        let upstream = try await UpstreamServer.start(.hang)
        let route = "timeout: 30s\nmax_grpc_timeout: 0.4s\ngrpc_timeout_offset: 0.1s"
        try await TernProcess.with(config: Self.config(port: upstream.port, routeExtra: route)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let result = try await GRPCClient.call(port: port, GRPCCall("Unary", timeout: 20))
            #expect(result.code == "UNAVAILABLE", "\(result)")
            #expect(result.details == "upstream request timeout")
            #expect(await Self.forwardedTimeout(upstream) == 400, "min(20 s - 0.1 s, 0.4 s)")
            #expect(upstream.requests.first?.headers["x-envoy-expected-rq-timeout-ms"] == "400")
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_timeout", atLeast: 1) == 1)
            // Without a deadline the maximum applies.
            let second = try await GRPCClient.call(port: port, GRPCCall("Unary"))
            #expect(second.code == "UNAVAILABLE" && second.details == "upstream request timeout", "\(second)")
            let requests = await upstream.waitForRequests(2)
            #expect(requests.count == 2 && requests[1].headers["grpc-timeout"] == "400m")
        }
        await upstream.stop()
    }
}

/// grpc-timeout values as the tests read them (H, M, S, m, u, n; sub-millisecond rounded up).
enum GRPCTimeoutValue {
    static func milliseconds(_ value: String) -> Int? {
        guard let unit = value.last, let n = Int(value.dropLast()) else { return nil }
        switch unit {
        case "H": return n * 3_600_000
        case "M": return n * 60_000
        case "S": return n * 1000
        case "m": return n
        case "u": return (n + 999) / 1000
        case "n": return (n + 999_999) / 1_000_000
        default: return nil
        }
    }
}
