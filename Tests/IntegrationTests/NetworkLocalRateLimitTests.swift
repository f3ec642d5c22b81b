// envoy.filters.network.local_ratelimit through the real binary: each new connection takes a
// token from one bucket shared by every worker; a connection that finds none is closed before a
// byte is proxied and before the terminal filter opens an upstream connection.

import Foundation
import Testing
import TernTestSupport

@Suite("Network local rate limit", .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct NetworkLocalRateLimitTests {
    /// A network `filters` list entry for the local rate limit (YAML at column 0).
    static func limitFilter(maxTokens: Int, extra: String = "") -> String {
        """
        - name: envoy.filters.network.local_ratelimit
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit
            stat_prefix: conn_rl
            token_bucket: { max_tokens: \(maxTokens), tokens_per_fill: 1, fill_interval: 3600s }
        \(EnvoyConfig.indent(extra, 4))
        """
    }

    /// Listener "tcp": the rate limit, then tcp_proxy to cluster "echo".
    static func tcpConfig(echoPort: Int, maxTokens: Int, extra: String = "") -> String {
        let listener = """
            - name: tcp
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
              - filters:
            \(EnvoyConfig.indent(limitFilter(maxTokens: maxTokens, extra: extra), 4))
                - name: envoy.filters.network.tcp_proxy
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                    stat_prefix: tcp
                    cluster: echo
            """
        return EnvoyConfig.bootstrap(listeners: [listener], clusters: [EnvoyConfig.staticCluster(name: "echo", port: echoPort)])
    }

    /// Opens a connection, sends `text` and reads until the echo or the proxy's close.
    static func exchange(port: Int, _ text: String) async throws -> (echoed: String, closed: Bool) {
        let connection = try await RawConnection.connect(port: port)
        defer { Task { await connection.close() } }
        try? await connection.send(text)
        let read = try await connection.read(timeout: .seconds(10)) { $0.count >= text.utf8.count }
        return (read.text, (read.peerClosed || read.wasReset) && !read.timedOut)
    }

    @Test("connections over max_tokens are closed unproxied; the upstream sees only the allowed ones")
    func closesConnectionsOverTheLimit() async throws {
        let echo = try await TCPEchoServer.start()
        try await TernProcess.with(config: Self.tcpConfig(echoPort: echo.port, maxTokens: 2), concurrency: 2) { proxy in
            let port = try await proxy.listenerPort("tcp")
            var open: [RawConnection] = []
            for index in 0..<2 {
                let connection = try await RawConnection.connect(port: port)
                try await connection.send("allowed \(index)")
                let read = try await connection.readBytes(9)
                #expect(read.text == "allowed \(index)")
                open.append(connection)
            }
            for index in 0..<3 {
                let refused = try await Self.exchange(port: port, "refused \(index)")
                #expect(refused.echoed.isEmpty, "a refused connection must not be proxied")
                #expect(refused.closed, "a refused connection is closed by the proxy")
            }
            #expect(try await proxy.waitForStat("local_rate_limit.conn_rl.rate_limited", atLeast: 3) == 3)
            // The two allowed connections still work after the refusals.
            try await open[0].send("still here")
            #expect(try await open[0].readBytes(9 + 10).text == "allowed 0still here")
            for connection in open { await connection.close() }
            #expect(echo.connectionCount == 2, "tcp_proxy never connected upstream for a refused connection")
            #expect(try await proxy.stat("cluster.echo.upstream_cx_total") == 2)
        }
        await echo.stop()
    }

    @Test("runtime_enabled false: every connection is proxied")
    func runtimeDisabled() async throws {
        let echo = try await TCPEchoServer.start()
        let config = Self.tcpConfig(echoPort: echo.port, maxTokens: 1, extra: "runtime_enabled: { default_value: false, runtime_key: rl_on }")
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("tcp")
            for index in 0..<3 {
                let result = try await Self.exchange(port: port, "pass \(index)")
                #expect(result.echoed == "pass \(index)")
            }
            #expect(try await proxy.stat("local_rate_limit.conn_rl.rate_limited") == 0)
        }
        await echo.stop()
    }

    @Test("in front of the HTTP connection manager: a refused connection gets no response and no upstream request")
    func inFrontOfHTTP() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        var config = EnvoyConfig.httpProxy(to: upstream.port)
        // The rate limit goes first in the chain, before the connection manager.
        config = config.replacingOccurrences(
            of: "    - filters:\n",
            with: "    - filters:\n" + EnvoyConfig.indent(Self.limitFilter(maxTokens: 1), 6) + "\n")
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let first = try await Curl.get(port: port, "/one")
            #expect(first.status == 200)
            let second = try await Curl.get(port: port, "/two")
            #expect(second.status == 0 && second.exitCode != 0, "curl sees the connection closed: \(second)")
            #expect(upstream.requests.map(\.path) == ["/one"])
            #expect(try await proxy.waitForStat("local_rate_limit.conn_rl.rate_limited", atLeast: 1) == 1)
        }
        await upstream.stop()
    }
}
