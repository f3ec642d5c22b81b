// Closed connections give their memory back. A handler that keeps its ChannelHandlerContext
// forms a reference cycle with it that NIO cannot break, and a list that outlives the read that
// filled it can hold a closed connection's streams: either way each connection leaked about a
// kilobyte, which a sidecar under connection churn never gets back. Each test churns through
// thousands of connections on one path and reads the allocator's total from `/memory` before
// and after. Warm-up rounds come first: what the allocator reports in use grows over the first
// two thousand or so connections (by up to 1.7 MB in the debug build), then stays flat.

import Foundation
import Testing
import TernTestSupport

// Serialized: each test holds one of the suite-wide proxy slots for tens of seconds under load;
// one at a time leaves the other slots to the rest of the suite.
@Suite("Closed connections are freed", .serialized, .requires(.h2load), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct ConnectionLeakTests {
    /// More than the allocator's drift once warm (measured: under 100 KB), far less than 2,000
    /// connections would keep at a leak of a few hundred bytes each (measured without the
    /// fixes: 1.2-3.8 MB per path).
    static let allowedGrowth = 600 * 1024

    static func allocated(_ proxy: TernProcess) async throws -> Int {
        let response = try await proxy.admin.get("/memory")
        guard response.status == 200,
              let root = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let text = root["allocated"] as? String, let bytes = Int(text)
        else { throw HarnessError("/memory answered \(response.status): \(response.bodyText.prefix(300))") }
        return bytes
    }

    /// Runs `round` `warmUp` times, then `rounds` more times, and returns how much the
    /// allocator's total grew over the latter.
    static func growth(_ proxy: TernProcess, warmUp: Int = 4, rounds: Int, _ round: () async throws -> Void) async throws -> Int {
        for _ in 0..<warmUp { try await round() }
        let before = try await allocated(proxy)
        for _ in 0..<rounds { try await round() }
        return try await allocated(proxy) - before
    }

    static func h2load(_ arguments: [String]) async throws {
        let output = try await ProcessRunner.run(try Peer.h2load.require(), arguments, timeout: .seconds(60))
        guard output.exitCode == 0, output.stdoutText.contains(" 0 failed, 0 errored") else {
            throw HarnessError("h2load \(arguments): \(output.stdoutText)\(output.stderrText)")
        }
    }

    /// Starts Tern with `config`, runs `round` (given the port of `listener`) for the warm-up
    /// and then `rounds` times, and expects `counted` to have reached `count` (the churn
    /// happened) and the allocator's total to have grown by less than `allowedGrowth`. With
    /// `settled`, each round ends only once that gauge is back to 0 (every connection of the
    /// round closed on both sides).
    static func expectFreed(config: String, listener: String = "ingress", rounds: Int, counted: String,
                            atLeast count: Int, settled: String? = nil, _ round: (Int) async throws -> Void) async throws {
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort(listener)
            let grown = try await growth(proxy, rounds: rounds) {
                try await round(port)
                if let settled, await !waitUntil(timeout: .seconds(10), { (try? await proxy.stat(settled)) == 0 }) {
                    throw HarnessError("\(settled) did not return to 0 after the round")
                }
            }
            #expect(try await proxy.stat(counted) >= count)
            #expect(grown < allowedGrowth, "allocated grew by \(grown) bytes")
        }
    }

    @Test("HTTP/1.1 downstream: 2,000 connections closed after one request each")
    func http1Downstream() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await Self.expectFreed(config: EnvoyConfig.httpProxy(to: upstream.port), rounds: 4,
                                   counted: "http.ingress.downstream_cx_total", atLeast: 4_000) { port in
            try await Self.h2load(["--h1", "-n", "500", "-c", "10", "-H", "connection: close", "http://127.0.0.1:\(port)/"])
        }
        await upstream.stop()
    }

    @Test("HTTP/1.1 downstream: a connection closed after its response is freed when it closes, not a second later")
    func http1DelayedCloseFreesAtClose() async throws {
        // Envoy's delayed close waits up to a second for the client to close first. A timer
        // left running after the client did held the whole channel until it fired.
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let round = { try await Self.h2load(["--h1", "-n", "600", "-c", "10", "-H", "connection: close", "http://127.0.0.1:\(port)/"]) }
            for _ in 0..<4 { try await round() }  // warm-up, as in `growth`
            try await round()
            let settled = await waitUntil(timeout: .seconds(10)) { (try? await proxy.stat("http.ingress.downstream_cx_active")) == 0 }
            #expect(settled, "every connection closed")
            let atClose = try await Self.allocated(proxy)
            try await Task.sleep(for: .milliseconds(1500))
            let later = try await Self.allocated(proxy)
            #expect(atClose - later < 300 * 1024, "\(atClose - later) bytes were freed only a second after the connections closed")
        }
        await upstream.stop()
    }

    @Test("HTTP/2 downstream: 2,400 connections of two streams each")
    func http2Downstream() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await Self.expectFreed(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: "codec_type: HTTP2"), rounds: 6,
                                   counted: "http.ingress.downstream_cx_http2_total", atLeast: 4_000) { port in
            try await Self.h2load(["-n", "800", "-c", "400", "-m", "2", "http://127.0.0.1:\(port)/"])
        }
        await upstream.stop()
    }

    @Test("HTTP/2 upstream: nginx sends GOAWAY after every request, 2,000 upstream connections", .requires(.nginx))
    func http2Upstream() async throws {
        let nginx = try await NginxUpstream.start(keepaliveRequests: 1)
        try await Self.expectFreed(config: EnvoyConfig.httpProxy(to: nginx.port, clusterExtra: HTTP2UpstreamTests.h2Cluster()),
                                   rounds: 4, counted: "cluster.svc.upstream_cx_total", atLeast: 4_000) { port in
            try await Self.h2load(["--h1", "-n", "500", "-c", "4", "http://127.0.0.1:\(port)/trailers.txt"])
        }
        await nginx.stop()
    }

    @Test("HTTP/1.1 upstream: every response says connection: close, 2,000 upstream connections")
    func http1Upstream() async throws {
        let upstream = try await UpstreamServer.start(.respond(headers: [HeaderField("connection", "close")], body: "ok"))
        try await Self.expectFreed(config: EnvoyConfig.httpProxy(to: upstream.port), rounds: 4,
                                   counted: "cluster.svc.upstream_cx_total", atLeast: 4_000) { port in
            try await Self.h2load(["--h1", "-n", "500", "-c", "4", "http://127.0.0.1:\(port)/"])
        }
        await upstream.stop()
    }

    @Test("tcp_proxy: 2,000 proxied connections")
    func tcpProxy() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let config = EnvoyConfig.bootstrap(listeners: [EnvoyConfig.tcpProxyListener(cluster: "svc")],
                                           clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream.port)])
        try await Self.expectFreed(config: config, listener: "tcp", rounds: 4, counted: "tcp.tcp.downstream_cx_total",
                                   atLeast: 4_000) { port in
            try await Self.h2load(["--h1", "-n", "500", "-c", "10", "-H", "connection: close", "http://127.0.0.1:\(port)/"])
        }
        await upstream.stop()
    }

    @Test("TLS downstream: 1,600 HTTP/2 connections over TLS, one handshake each", .requires(.openssl))
    func tlsDownstream() async throws {
        let certs = try await TestCertificates.make()
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let socket = EnvoyConfig.downstreamTLS(server: certs.server, alpn: ["h2", "http/1.1"])
        let listener = EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: "svc"), hcmExtra: "codec_type: AUTO")
        let config = EnvoyConfig.bootstrap(listeners: [EnvoyConfig.withTransportSocket(listener, socket)],
                                           clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream.port)])
        try await Self.expectFreed(config: config, rounds: 8, counted: "http.ingress.downstream_cx_http2_total",
                                   atLeast: 2_400) { port in
            try await Self.h2load(["-n", "400", "-c", "200", "-m", "2", "https://127.0.0.1:\(port)/"])
        }
        await upstream.stop()
        certs.remove()
    }

    @Test("WebSocket tunnels: 2,000 upgraded connections, each echoing a message, then closed")
    func tunnels() async throws {
        let upstream = try await UpgradeUpstream.start()
        let message = Array("ping".utf8)
        try await Self.expectFreed(config: UpgradeTests.config(upstreamPort: upstream.port), rounds: 10,
                                   counted: "http.ingress.downstream_cx_upgrades_total", atLeast: 2_800,
                                   settled: "http.ingress.downstream_cx_upgrades_active") { port in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<50 {
                            let (connection, response, headLength) = try await UpgradeTests.handshake(port: port)
                            guard response.status == 101 else {
                                await connection.close()
                                throw HarnessError("upgrade answered \(response.status)")
                            }
                            try await connection.send(message)
                            _ = try await connection.readBytes(headLength + message.count)
                            await connection.close()
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        await upstream.stop()
    }
}
