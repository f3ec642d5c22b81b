// The fault filter (`envoy.filters.http.fault`) through the real binary: aborts (fixed, header,
// gRPC), the conditions (headers, downstream nodes, upstream cluster), the per-route config, and
// Envoy's stats and response flags. Delays are in FaultDelayTests. The upstream counts
// what reaches it, so "never forwarded" is checked on the upstream itself.

import Foundation
import Testing
import TernTestSupport

@Suite("Fault injection", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct FaultTests {
    static let flushArguments = ["--file-flush-interval-msec", "100"]

    static func config(upstreamPort: Int, fault: String, virtualHosts: String? = nil, hcmExtra: String = "") -> String {
        FilterChainConfig.bootstrap(upstreamPort: upstreamPort, httpFilters: FilterChainConfig.faultFilter(fault),
                                    virtualHosts: virtualHosts ?? EnvoyConfig.routeAll(to: "svc"), hcmExtra: hcmExtra)
    }

    /// An HCM `access_log` writing `%RESPONSE_CODE% %RESPONSE_FLAGS%` lines to `path`.
    static func accessLog(_ path: URL) -> String {
        """
        access_log:
        - name: envoy.access_loggers.file
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
            path: \(path.path)
            log_format:
              text_format_source:
                inline_string: "%RESPONSE_CODE% %RESPONSE_FLAGS%\\n"
        """
    }

    @Test("abort at 100%: Envoy's 503 'fault filter abort', FI, stats; the upstream sees nothing")
    func abortAll() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let dir = try TemporaryDirectory(prefix: "fault-log")
        defer { dir.remove() }
        let log = dir.file("access.log")
        let config = Self.config(upstreamPort: upstream.port,
                                 fault: "abort: { http_status: 503, percentage: { numerator: 100 } }",
                                 hcmExtra: Self.accessLog(log))
        try await TernProcess.with(config: config, extraArguments: Self.flushArguments) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for _ in 0..<3 {
                let r = try await Curl.get(port: port, "/x", headers: ["x-envoy-downstream-service-cluster: frontend"])
                #expect(r.status == 503, "\(r)")
                #expect(r.bodyText == "fault filter abort")
                #expect(r.headers["content-type"] == "text/plain")
            }
            #expect(try await proxy.waitForStat("http.ingress.fault.aborts_injected", atLeast: 3) == 3)
            #expect(try await proxy.waitForStat("http.ingress.fault.frontend.aborts_injected", atLeast: 3) == 3)
            #expect(try await proxy.stat("http.ingress.fault.delays_injected") == 0)
            let lines = await TextFilePoller.waitForLines(log, count: 3)
            #expect(lines == ["503 FI", "503 FI", "503 FI"])
            #expect(upstream.requests.isEmpty)
            // No fault left active once the answers are out.
            #expect(await waitUntil { (try? await proxy.stat("http.ingress.fault.active_faults")) == 0 })
        }
        await upstream.stop()
    }

    @Test("abort at 0%: every request reaches the upstream")
    func abortNone() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let config = Self.config(upstreamPort: upstream.port,
                                 fault: "abort: { http_status: 503, percentage: { numerator: 0 } }")
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for _ in 0..<5 {
                let r = try await Curl.get(port: port, "/x")
                #expect(r.status == 200 && r.bodyText == "ok", "\(r)")
            }
            #expect(upstream.requests.count == 5)
            #expect(try await proxy.stat("http.ingress.fault.aborts_injected") == 0)
        }
        await upstream.stop()
    }

    @Test("header_abort: the status comes from x-envoy-fault-abort-request; the percentage header lowers it")
    func headerAbort() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let config = Self.config(upstreamPort: upstream.port,
                                 fault: "abort: { header_abort: {}, percentage: { numerator: 100 } }")
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let aborted = try await Curl.get(port: port, "/a", headers: ["x-envoy-fault-abort-request: 429"])
            #expect(aborted.status == 429 && aborted.bodyText == "fault filter abort", "\(aborted)")
            let plain = try await Curl.get(port: port, "/b")
            #expect(plain.status == 200, "\(plain)")
            let sampledOut = try await Curl.get(port: port, "/c", headers: [
                "x-envoy-fault-abort-request: 429", "x-envoy-fault-abort-request-percentage: 0"])
            #expect(sampledOut.status == 200, "\(sampledOut)")
            let outOfRange = try await Curl.get(port: port, "/d", headers: ["x-envoy-fault-abort-request: 700"])
            #expect(outOfRange.status == 200, "\(outOfRange)")
            #expect(upstream.requests.map(\.uri) == ["/b", "/c", "/d"])
        }
        await upstream.stop()
    }

    @Test("gRPC requests get Envoy's trailers-only gRPC answer: 200, grpc-status, grpc-message")
    func grpcAbort() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let hosts = """
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: "/grpc" }
                route: { cluster: svc }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                    abort: { grpc_status: 5, percentage: { numerator: 100 } }
              - match: { prefix: "/" }
                route: { cluster: svc }
            """
        let config = Self.config(upstreamPort: upstream.port,
                                 fault: "abort: { http_status: 503, percentage: { numerator: 100 } }", virtualHosts: hosts)
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let connection = try await RawConnection.connect(port: port)
            let request = "POST /grpc/pkg.Svc/Method HTTP/1.1\r\nhost: x\r\ncontent-type: application/grpc\r\n"
                + "te: trailers\r\ncontent-length: 5\r\n\r\n\0\0\0\0\0"
            try await connection.send(request)
            let read = try await connection.readResponses(1)
            let grpc = try #require(read.responses.first, "no response: \(read.text)")
            #expect(grpc.status == 200, "\(grpc)")
            #expect(grpc.headers["content-type"] == "application/grpc")
            #expect(grpc.headers["grpc-status"] == "5")
            #expect(grpc.headers["grpc-message"] == "fault filter abort")
            #expect(grpc.headers["content-length"] == "0")
            #expect(grpc.body.isEmpty)
            await connection.close()
            // An HTTP abort of a gRPC request is shaped the same way, its status mapped (503 → UNAVAILABLE).
            // (A new connection: answered before its body was read, the first one is not reused.)
            let other = try await RawConnection.connect(port: port)
            try await other.send(request.replacingOccurrences(of: "/grpc/pkg", with: "/other/pkg"))
            let second = try await other.readResponses(1)
            await other.close()
            let mapped = try #require(second.responses.first, "no response: \(second.text)")
            #expect(mapped.status == 200 && mapped.headers["grpc-status"] == "14", "\(mapped)")
            // A gRPC status for a request that is not gRPC: HTTP 200 with the text body, as Envoy.
            let notGRPC = try await Curl.get(port: port, "/grpc")
            #expect(notGRPC.status == 200 && notGRPC.bodyText == "fault filter abort", "\(notGRPC)")
            #expect(upstream.requests.isEmpty)
        }
        await upstream.stop()
    }

    @Test("a route's typed_per_filter_config replaces the filter's fault config")
    func perRouteOverride() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let hosts = """
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: "/teapot" }
                route: { cluster: svc }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                    abort: { http_status: 418, percentage: { numerator: 100 } }
              - match: { prefix: "/calm" }
                route: { cluster: svc }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                    abort: { http_status: 503, percentage: { numerator: 0 } }
              - match: { prefix: "/" }
                route: { cluster: svc }
            """
        let config = Self.config(upstreamPort: upstream.port,
                                 fault: "abort: { http_status: 503, percentage: { numerator: 100 } }", virtualHosts: hosts)
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/teapot").status == 418)
            #expect(try await Curl.get(port: port, "/calm").status == 200)
            #expect(try await Curl.get(port: port, "/other").status == 503)
            #expect(upstream.requests.map(\.uri) == ["/calm"])
        }
        await upstream.stop()
    }

    @Test("headers, downstream_nodes and upstream_cluster restrict which requests get faults")
    func conditions() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let hosts = """
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: "/nodes" }
                route: { cluster: svc }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                    downstream_nodes: ["node-a"]
                    abort: { http_status: 502, percentage: { numerator: 100 } }
              - match: { prefix: "/cluster" }
                route: { cluster: svc }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                    upstream_cluster: elsewhere
                    abort: { http_status: 502, percentage: { numerator: 100 } }
              - match: { prefix: "/" }
                route: { cluster: svc }
            """
        let config = Self.config(upstreamPort: upstream.port, fault: """
            headers:
            - { name: x-chaos, string_match: { exact: "yes" } }
            abort: { http_status: 503, percentage: { numerator: 100 } }
            """, virtualHosts: hosts)
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/h", headers: ["x-chaos: yes"]).status == 503)
            #expect(try await Curl.get(port: port, "/h", headers: ["x-chaos: no"]).status == 200)
            #expect(try await Curl.get(port: port, "/h").status == 200)
            #expect(try await Curl.get(port: port, "/nodes", headers: ["x-envoy-downstream-service-node: node-a"]).status == 502)
            #expect(try await Curl.get(port: port, "/nodes", headers: ["x-envoy-downstream-service-node: node-b"]).status == 200)
            #expect(try await Curl.get(port: port, "/cluster").status == 200)
            #expect(upstream.requests.count == 4)
        }
        await upstream.stop()
    }
}
