import NIOCore
import NIOEmbedded
import TernCore
import Testing
@testable import TernNetwork

/// The listener-filter phase on an embedded channel: bytes are kept until the filters decide,
/// then passed on once, to the handlers the decision added, and the phase handler leaves.
@Suite("Listener filter phase")
struct ListenerFilterHandlerTests {
    /// Decides once `need` bytes are in, recording the first byte as the "server name".
    final class CountingFilter: ListenerFilter {
        let need: Int
        var calls = 0
        var verdict: ListenerFilterStatus?

        init(need: Int, verdict: ListenerFilterStatus? = nil) {
            self.need = need
            self.verdict = verdict
        }

        func onData(_ bytes: ByteBuffer, properties: inout ConnectionMatchProperties) -> ListenerFilterStatus {
            calls += 1
            guard bytes.readableBytes >= need else { return .needMoreData }
            properties.serverName = "first-\(bytes.getInteger(at: bytes.readerIndex, as: UInt8.self)!)"
            return verdict ?? .continue
        }
    }

    /// Collects what reaches the handlers added after the decision.
    final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var reads: [[UInt8]] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            reads.append(Array(buffer: unwrapInboundIn(data)))
        }
    }

    struct Setup {
        let channel = EmbeddedChannel()
        let stats = ListenerStats(root: StatsStore(workers: 1).root, statPrefix: "l")
        let collector = Collector()
    }

    private func makeHandler(_ filters: [any ListenerFilter], _ setup: Setup, timeout: TimeAmount? = .seconds(15),
                             continueOnTimeout: Bool = false, onDecided: @escaping (ConnectionMatchProperties) -> Void)
        -> ListenerFilterHandler
    {
        ListenerFilterHandler(filters: filters, properties: ConnectionMatchProperties(destination: nil, source: nil),
                              maxReadBytes: 1024, timeout: timeout, continueOnTimeout: continueOnTimeout,
                              stats: setup.stats, worker: 0, onDecided: onDecided)
    }

    @Test func bytesAreKeptUntilEveryFilterDecidesThenPassedOnOnce() throws {
        let setup = Setup()
        let first = CountingFilter(need: 2), second = CountingFilter(need: 4)
        var decided: ConnectionMatchProperties?
        let handler = makeHandler([first, second], setup) { props in
            decided = props
            try! setup.channel.pipeline.syncOperations.addHandler(setup.collector)
        }
        try setup.channel.pipeline.syncOperations.addHandler(handler)
        try setup.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        #expect(setup.stats.downstreamPreCxActive.value == 1)

        try setup.channel.writeInbound(ByteBuffer(bytes: [7]))
        try setup.channel.writeInbound(ByteBuffer(bytes: [8, 9]))
        #expect(decided?.serverName == nil && setup.collector.reads.isEmpty)
        #expect(first.calls == 2 && second.calls == 1, "the second filter starts once the first continued")
        try setup.channel.writeInbound(ByteBuffer(bytes: [10, 11]))
        #expect(decided?.serverName == "first-7")
        #expect(setup.collector.reads == [[7, 8, 9, 10, 11]], "everything kept, in one read, once")
        #expect(setup.stats.downstreamPreCxActive.value == 0)
        // The phase handler has left: later bytes go straight to the chain's handlers.
        #expect(throws: (any Error).self) { try setup.channel.pipeline.syncOperations.context(handler: handler) }
        try setup.channel.writeInbound(ByteBuffer(bytes: [12]))
        #expect(setup.collector.reads.last == [12])
        #expect(first.calls == 2 && second.calls == 2)
        _ = try? setup.channel.finish()
    }

    @Test func aFilterThatClosesEndsTheConnectionWithoutAChain() throws {
        let setup = Setup()
        var decided = false
        let handler = makeHandler([CountingFilter(need: 1, verdict: .close)], setup) { _ in decided = true }
        try setup.channel.pipeline.syncOperations.addHandler(handler)
        try setup.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try setup.channel.writeInbound(ByteBuffer(bytes: [1]))
        #expect(!decided && !setup.channel.isActive)
        #expect(setup.stats.downstreamPreCxActive.value == 0)
    }

    @Test(arguments: [false, true])
    func timeoutClosesOrContinues(continueOnTimeout: Bool) throws {
        let setup = Setup()
        var decided: ConnectionMatchProperties?
        let handler = makeHandler([CountingFilter(need: 5)], setup, timeout: .seconds(2),
                                  continueOnTimeout: continueOnTimeout) { props in
            decided = props
            try! setup.channel.pipeline.syncOperations.addHandler(setup.collector)
        }
        try setup.channel.pipeline.syncOperations.addHandler(handler)
        try setup.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try setup.channel.writeInbound(ByteBuffer(bytes: [1, 2]))
        setup.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(setup.stats.downstreamPreCxTimeout.value == 0 && setup.channel.isActive)
        setup.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(setup.stats.downstreamPreCxTimeout.value == 1)
        #expect(setup.stats.downstreamPreCxActive.value == 0)
        if continueOnTimeout {
            #expect(decided?.transportProtocol == "raw_buffer" && decided?.serverName == "")
            #expect(setup.collector.reads == [[1, 2]], "the bytes kept so far still reach the chain")
            #expect(setup.channel.isActive)
        } else {
            #expect(decided?.serverName == nil && !setup.channel.isActive)
        }
        _ = try? setup.channel.finish()
    }

    @Test func aPeerThatHalfClosesIsARemoteClose() throws {
        let setup = Setup()
        let handler = makeHandler([CountingFilter(need: 5)], setup) { _ in Issue.record("no decision expected") }
        try setup.channel.pipeline.syncOperations.addHandler(handler)
        try setup.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try setup.channel.writeInbound(ByteBuffer(bytes: [1]))
        setup.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(setup.stats.downstreamListenerFilterRemoteClose.value == 1)
        #expect(!setup.channel.isActive)
        #expect(setup.stats.downstreamPreCxActive.value == 0)
    }
}
