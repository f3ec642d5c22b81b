#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Testing
@testable import TernNetwork

/// Back-pressure and bounded buffering in tcp_proxy, on real sockets with small socket buffers
/// so the kernel cannot hide an unbounded proxy. The buffers stay well above loopback's MSS
/// (~64 KiB): smaller receive buffers make Linux's silly-window avoidance stall the stream until
/// persist-timer probes, which has nothing to do with the proxy.
@Suite("tcp_proxy flow control", .serialized)
struct TCPProxyFlowControlTests {
    static let socketBuffer = 256 * 1024

    @Test func stalledUpstreamPausesDownstreamReadingThenResumes() async throws {
        let upstreamGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let seen = UpstreamObservations()
        let gate = ReadGate()
        let server = try await startUpstream(group: upstreamGroup, autoRead: false, receiveBuffer: Self.socketBuffer) {
            StalledReaderHandler(seen: seen, gate: gate)
        }
        let h = try await TCPProxyHarness.start(endpoints: [server.localAddress!.port!], upstreamGroup: upstreamGroup,
                                                downstreamReceiveBuffer: Self.socketBuffer)
        let total = 16 << 20
        let payload = [UInt8](repeating: 0x5A, count: total)
        let client = try RawClient(port: h.port, sendBufferSize: Self.socketBuffer)
        // The upstream reads nothing: the client must get stuck well before 16 MiB.
        let stuck = try client.exchange(send: payload, timeout: .seconds(2), throwOnTimeout: false)
        #expect(stuck.sent < total)
        #expect(await eventually { h.counter("tcp.test.downstream_flow_control_paused_reading_total") >= 1 })
        let read = h.counter("tcp.test.downstream_cx_rx_bytes_total")
        // What the proxy took in is bounded by the upstream socket's buffers plus one write
        // high-water mark, not by what the client offered.
        #expect(read < 8 << 20, "proxy read \(read) bytes while the upstream was stalled")

        gate.startReading()
        let rest = Array(payload[stuck.sent...])
        try client.exchange(send: rest, halfClose: true, timeout: .seconds(60), throwOnTimeout: false)
        #expect(await eventually(timeout: .seconds(60)) { seen.bytes == total })
        #expect(h.counter("tcp.test.downstream_flow_control_resumed_reading_total") >= 1)
        #expect(h.counter("tcp.test.downstream_cx_rx_bytes_total") == UInt64(total))

        try await h.shutdown()
        try await server.close().get()
        try await upstreamGroup.shutdownGracefully()
    }

    @Test func connectingUpstreamBoundsBufferingAndTimesOut() async throws {
        let upstreamGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let hanging = Blackhole.hangingListener()
        defer { for fd in hanging.descriptors { close(fd) } }
        let limit = 16 * 1024
        let h = try await TCPProxyHarness.start(endpoints: [hanging.port], upstreamGroup: upstreamGroup,
                                                connectTimeout: .seconds(1), bufferLimit: limit,
                                                downstreamReceiveBuffer: Self.socketBuffer)
        let client = try RawClient(port: h.port, sendBufferSize: Self.socketBuffer)
        let early = try client.exchange(send: [UInt8](repeating: 1, count: 1 << 20), timeout: .milliseconds(500),
                                        throwOnTimeout: false)
        #expect(!early.eof && !early.reset, "closed before the connect timeout")
        #expect(await eventually { h.counter("tcp.test.downstream_flow_control_paused_reading_total") == 1 })
        let held = h.counter("tcp.test.downstream_cx_rx_bytes_total")
        #expect(held >= UInt64(limit))
        // One read event may deliver up to maxMessagesPerRead (4) buffers of at most 64 KiB
        // before the held read() takes effect.
        #expect(held <= UInt64(limit + 4 * 64 * 1024), "held \(held) bytes while connecting")

        let end = try client.waitForClose(timeout: .seconds(10))
        #expect(end.eof || end.reset)
        #expect(h.counter("cluster.backend.upstream_cx_connect_timeout") == 1)
        #expect(h.counter("cluster.backend.upstream_cx_connect_fail") == 1)
        #expect(h.gauge("cluster.backend.upstream_cx_active") == 0)

        try await h.shutdown()
        try await upstreamGroup.shutdownGracefully()
    }
}
