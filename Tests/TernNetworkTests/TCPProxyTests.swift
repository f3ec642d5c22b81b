import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TernConfig
import Testing
@testable import TernNetwork

/// tcp_proxy on real sockets: a raw client → the proxy's listener → a fake upstream.
@Suite("tcp_proxy on real sockets", .serialized)
struct TCPProxyTests {
    let upstreamGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    private func withHarness(
        upstream: (@Sendable () -> any ChannelHandler)?, extraEndpoints: [Int] = [], upstreamAutoRead: Bool = true,
        receiveBuffer: Int? = nil, bufferLimit: Int = 1 << 20, connectTimeout: TimeAmount = .seconds(2),
        extraClusterNames: Set<String> = [], downstreamReceiveBuffer: Int? = nil,
        configure: (inout TCPProxyHarness.Proto) -> Void = { _ in },
        _ body: (TCPProxyHarness) async throws -> Void
    ) async throws {
        var endpoints = extraEndpoints
        var server: (any Channel)?
        if let upstream {
            let s = try await startUpstream(group: upstreamGroup, autoRead: upstreamAutoRead, receiveBuffer: receiveBuffer,
                                            makeHandler: upstream)
            endpoints.append(s.localAddress!.port!)
            server = s
        }
        let harness = try await TCPProxyHarness.start(
            endpoints: endpoints, upstreamGroup: upstreamGroup, connectTimeout: connectTimeout, bufferLimit: bufferLimit,
            extraClusterNames: extraClusterNames, downstreamReceiveBuffer: downstreamReceiveBuffer, configure: configure)
        do {
            try await body(harness)
        } catch {
            try? await harness.shutdown()
            try? await server?.close().get()
            try? await upstreamGroup.shutdownGracefully()
            throw error
        }
        try await harness.shutdown()
        try? await server?.close().get()
        try await upstreamGroup.shutdownGracefully()
    }

    @Test func echoesOneMebibyteByteExact() async throws {
        let seen = UpstreamObservations()
        try await withHarness(upstream: { EchoHandler(seen: seen) }) { h in
            var payload = [UInt8](repeating: 0, count: 1 << 20)
            var rng = SystemRandomNumberGenerator()
            for i in payload.indices { payload[i] = UInt8.random(in: 0...255, using: &rng) }
            let client = try RawClient(port: h.port)
            let outcome = try client.exchange(send: payload, halfClose: true)
            #expect(outcome.eof)
            #expect(outcome.bytes.count == payload.count)
            #expect(outcome.bytes == payload)

            #expect(await eventually { h.gauge("cluster.backend.upstream_cx_active") == 0 })
            #expect(h.counter("tcp.test.downstream_cx_total") == 1)
            #expect(h.counter("tcp.test.downstream_cx_rx_bytes_total") == 1 << 20)
            #expect(h.counter("tcp.test.downstream_cx_tx_bytes_total") == 1 << 20)
            #expect(h.counter("cluster.backend.upstream_cx_total") == 1)
            #expect(h.counter("cluster.backend.upstream_cx_tx_bytes_total") == 1 << 20)
            #expect(h.counter("cluster.backend.upstream_cx_rx_bytes_total") == 1 << 20)
            #expect(h.counter("cluster.backend.upstream_cx_destroy") == 1)
            #expect(h.counter("cluster.backend.upstream_cx_connect_fail") == 0)
            let host = try #require(h.hosts.first)
            #expect(host.stats.cxTotal.load(ordering: .relaxed) == 1)
            #expect(await eventually { host.stats.cxActive.load(ordering: .relaxed) == 0 })
            #expect(seen.eofs == 1)
        }
    }

    @Test func clientHalfCloseReachesUpstreamAndItsReplyStillArrives() async throws {
        let seen = UpstreamObservations()
        try await withHarness(upstream: { ReplyOnEOFHandler(seen: seen) }) { h in
            let client = try RawClient(port: h.port)
            let outcome = try client.exchange(send: Array("hello".utf8), halfClose: true)
            #expect(String(decoding: outcome.bytes, as: UTF8.self) == "received 5")
            #expect(outcome.eof)
            #expect(seen.eofs == 1)
            #expect(await eventually { h.gauge("cluster.backend.upstream_cx_active") == 0 })
            #expect(h.counter("cluster.backend.upstream_cx_destroy_remote") == 1)
        }
    }

    @Test func upstreamHalfCloseReachesClientWhichCanStillSend() async throws {
        let seen = UpstreamObservations()
        try await withHarness(upstream: { GreetThenListenHandler(seen: seen) }) { h in
            let client = try RawClient(port: h.port)
            let greeting = try client.exchange(expect: 3)
            #expect(String(decoding: greeting.bytes, as: UTF8.self) == "hi\n")
            // The upstream's EOF arrives after its greeting; our direction stays open.
            let end = try client.exchange()
            #expect(end.eof && end.bytes.isEmpty)
            try client.exchange(send: Array("abc".utf8), halfClose: true, timeout: .seconds(5), throwOnTimeout: false)
            #expect(await eventually { seen.bytes == 3 && seen.eofs == 1 })
            #expect(await eventually { h.gauge("cluster.backend.upstream_cx_active") == 0 })
        }
    }

    @Test func connectFailureClosesDownstreamAndCounts() async throws {
        let dead = Blackhole.refusingPort()
        try await withHarness(upstream: nil, extraEndpoints: [dead]) { h in
            let client = try RawClient(port: h.port)
            let outcome = try client.waitForClose()
            #expect(outcome.eof || outcome.reset)
            #expect(outcome.bytes.isEmpty)
            #expect(await eventually { h.counter("cluster.backend.upstream_cx_connect_fail") == 1 })
            #expect(h.counter("cluster.backend.upstream_cx_total") == 1)
            #expect(h.gauge("cluster.backend.upstream_cx_active") == 0)
            #expect(h.counter("tcp.test.upstream_cx_connect_attempts_exceeded") == 1)
            #expect(h.hosts.first?.stats.cxConnectFail.load(ordering: .relaxed) == 1)
        }
    }

    @Test func connectFailureRetriesAnotherHost() async throws {
        let seen = UpstreamObservations()
        let dead = Blackhole.refusingPort()
        try await withHarness(upstream: { EchoHandler(seen: seen) }, extraEndpoints: [dead],
                              configure: { $0.maxConnectAttempts = .init(2) }) { h in
            let client = try RawClient(port: h.port)
            let outcome = try client.exchange(send: Array("ping".utf8), halfClose: true)
            #expect(String(decoding: outcome.bytes, as: UTF8.self) == "ping")
            #expect(h.counter("cluster.backend.upstream_cx_connect_fail") == 1)
            #expect(h.counter("cluster.backend.upstream_cx_total") == 2)
            #expect(h.counter("tcp.test.upstream_cx_connect_attempts_exceeded") == 0)
        }
    }

    @Test func idleTimeoutClosesBothSides() async throws {
        let seen = UpstreamObservations()
        try await withHarness(upstream: { EchoHandler(seen: seen) },
                              configure: { $0.idleTimeout = .init(seconds: 0, nanos: 200_000_000) }) { h in
            let client = try RawClient(port: h.port)
            let first = try client.exchange(send: Array("x".utf8), expect: 1)
            #expect(first.bytes == Array("x".utf8))
            let outcome = try client.waitForClose(timeout: .seconds(10))
            #expect(outcome.eof || outcome.reset)
            #expect(h.counter("tcp.test.idle_timeout") == 1)
            #expect(await eventually { h.gauge("cluster.backend.upstream_cx_active") == 0 })
            #expect(h.counter("cluster.backend.upstream_cx_destroy_local") == 1)
        }
    }

    @Test func maxDownstreamConnectionDurationCloses() async throws {
        let seen = UpstreamObservations()
        try await withHarness(upstream: { EchoHandler(seen: seen) },
                              configure: { $0.maxDownstreamConnectionDuration = .init(seconds: 0, nanos: 300_000_000) }) { h in
            let client = try RawClient(port: h.port)
            #expect(try client.exchange(send: Array("x".utf8), expect: 1).bytes == Array("x".utf8))
            let outcome = try client.waitForClose(timeout: .seconds(10))
            #expect(outcome.eof || outcome.reset)
            #expect(h.counter("tcp.test.max_downstream_connection_duration") == 1)
            #expect(h.counter("tcp.test.idle_timeout") == 0)
        }
    }

    @Test func unknownClusterAtRuntimeIsNoRoute() async throws {
        try await withHarness(upstream: nil, extraClusterNames: ["ghost"], configure: { $0.cluster = "ghost" }) { h in
            let client = try RawClient(port: h.port)
            let outcome = try client.waitForClose()
            #expect(outcome.eof || outcome.reset)
            #expect(await eventually { h.counter("tcp.test.downstream_cx_no_route") == 1 })
            #expect(h.counter("tcp.test.downstream_cx_total") == 1)
        }
    }

    @Test func clusterWithoutHostsClosesDownstream() async throws {
        try await withHarness(upstream: nil) { h in
            let client = try RawClient(port: h.port)
            let outcome = try client.waitForClose()
            #expect(outcome.eof || outcome.reset)
            #expect(await eventually { h.counter("cluster.backend.upstream_cx_none_healthy") == 1 })
            #expect(h.counter("cluster.backend.upstream_cx_total") == 0)
        }
    }
}
