import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP client for tests: connects, collects every byte it receives as text, and notes when
/// the server closes.
final class LineClient: Sendable {
    let channel: any Channel
    private let received: NIOLockedValueBox<String>

    private init(channel: any Channel, received: NIOLockedValueBox<String>) {
        self.channel = channel
        self.received = received
    }

    static func connect(to address: SocketAddress, group: any EventLoopGroup) async throws -> LineClient {
        let received = NIOLockedValueBox("")
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                }
            }
            .connect(to: address).get()
        return LineClient(channel: channel, received: received)
    }

    /// Everything received so far.
    var text: String { received.withLockedValue { $0 } }

    /// Whether the server has closed the connection.
    var isClosed: Bool { !channel.isActive }

    func close() async { try? await channel.close().get() }

    /// Appends every received buffer to the shared text.
    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<String>
        init(received: NIOLockedValueBox<String>) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = Self.unwrapInboundIn(data)
            received.withLockedValue { $0 += String(buffer: buffer) }
        }
    }
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double = 5, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
