// An upstream that answers as soon as it has a request head, without waiting for the body (as a
// server refusing an upload with 413 does), then records whether the proxy closed the connection.

import NIOCore
import NIOPosix
import Synchronization

/// An in-process upstream that answers at the request head.
public final class EarlyResponseUpstream: Sendable {
    /// The port it listens on, chosen by the kernel.
    public let port: Int
    private let channel: Channel
    private let closed = Atomic<Int>(0)

    private init(channel: Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    /// Starts the server; every connection gets `response` (complete HTTP bytes) after its head.
    public static func start(response: String) async throws -> EarlyResponseUpstream {
        let counter = EarlyResponseCounter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EarlyResponseHandler(response: response, counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw HarnessError("early-response upstream has no port") }
        let upstream = EarlyResponseUpstream(channel: channel, port: port)
        counter.owner.withLock { $0 = upstream }
        return upstream
    }

    /// Connections the proxy has closed so far.
    public var connectionsClosedByProxy: Int { closed.load(ordering: .relaxed) }

    fileprivate func noteClosed() { closed.add(1, ordering: .relaxed) }

    public func stop() async {
        try? await channel.close().get()
    }
}

private final class EarlyResponseCounter: Sendable {
    let owner = Mutex<EarlyResponseUpstream?>(nil)
}

private final class EarlyResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let response: String
    let counter: EarlyResponseCounter
    private var seen: [UInt8] = []
    private var answered = false

    init(response: String, counter: EarlyResponseCounter) {
        self.response = response
        self.counter = counter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        var buffer = unwrapInboundIn(data)
        seen += buffer.readBytes(length: buffer.readableBytes) ?? []
        if seen.count >= 4, (0...(seen.count - 4)).contains(where: { seen[$0..<$0 + 4] == [13, 10, 13, 10] }) {
            answered = true
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: response)), promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        counter.owner.withLock { $0?.noteClosed() }
    }
}
