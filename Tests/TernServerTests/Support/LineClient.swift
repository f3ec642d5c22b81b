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

extension LineClient {
    /// Whether a Tern greeter listener (`hello main N`) answers at `address`. A refused connection
    /// is not enough to tell: once a listener closes, a server of a test running in parallel may be
    /// given the freed port, so only the greeting proves that our listener still accepts there.
    static func greeterAnswers(at address: SocketAddress) async -> Bool {
        guard let client = try? await connect(to: address, group: MultiThreadedEventLoopGroup.singleton) else { return false }
        let greeted = await eventually(within: 2) { client.text.hasPrefix("hello ") }
        await client.close()
        return greeted
    }
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass; returns whether it held.
/// Generous by default: the whole suite runs in parallel on two cores.
func eventually(within seconds: Double = 15, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
