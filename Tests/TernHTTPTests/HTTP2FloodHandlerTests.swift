import NIOCore
import NIOEmbedded
import Testing
import TernCore
@testable import TernHTTP

/// The flood handler on a channel: what it counts as the codec's writes pass through it.
@Suite struct HTTP2FloodHandlerTests {
    final class Violations: @unchecked Sendable {
        var seen: [HTTP2ProtocolConstraints.Violation] = []
    }

    @Test func oneWriteOfManyACKsIsAControlFloodNotAFrameFlood() throws {
        let stats = HTTP2CodecStats(root: StatsStore(workers: 1).root, statPrefix: "t")
        let violations = Violations()
        let handler = HTTP2FloodHandler(limits: HTTP2FloodLimits(), stats: stats, worker: 0) { violations.seen.append($0) }
        let channel = EmbeddedChannel(handler: handler)
        // A client that sent thousands of SETTINGS in one read gets their ACKs in one write:
        // 11,000 of them cross max_outbound_frames (10,000) as a whole, but the 1,001st already
        // crossed max_outbound_control_frames (1,000), and that is the flood Envoy reports.
        var acks = channel.allocator.buffer(capacity: 9 * 11_000)
        for _ in 0..<11_000 { acks.writeBytes([0, 0, 0, 0x4, 0x1, 0, 0, 0, 0]) }
        channel.write(IOData.byteBuffer(acks), promise: nil)
        #expect(violations.seen == [.outboundControlFrames])
        #expect(stats.outboundControlFlood.value == 1)
        #expect(stats.outboundFlood.value == 0)
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive, "the connection is closed")
    }
}
