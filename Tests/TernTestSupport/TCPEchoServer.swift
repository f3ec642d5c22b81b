// A TCP server on 127.0.0.1 port 0 that writes back every byte it reads, and answers a half-close
// (FIN from the client) by finishing its echo and closing its own side: the upstream for tcp_proxy.
// With `replyAfterEOF` it holds everything back until the client's FIN, which proves a proxy in
// between both forwarded the FIN and kept the way back open.

import NIOCore
import NIOPosix
import Synchronization

/// An in-process TCP echo upstream.
public final class TCPEchoServer: Sendable {
    /// The port it listens on, chosen by the kernel.
    public let port: Int

    private let channel: Channel
    private let counters: Counters

    private init(channel: Channel, port: Int, counters: Counters) {
        self.channel = channel
        self.port = port
        self.counters = counters
    }

    /// Starts the server; with `replyAfterEOF` it echoes only once the client has half-closed.
    public static func start(replyAfterEOF: Bool = false) async throws -> TCPEchoServer {
        let counters = Counters()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                counters.connectionOpened()
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EchoHandler(counters: counters, replyAfterEOF: replyAfterEOF))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw HarnessError("echo server has no port") }
        return TCPEchoServer(channel: channel, port: port, counters: counters)
    }

    /// Stops listening.
    public func stop() async {
        try? await channel.close().get()
    }

    /// Connections accepted so far.
    public var connectionCount: Int { counters.snapshot.connections }
    /// Bytes echoed so far, over all connections.
    public var bytesEchoed: Int { counters.snapshot.bytes }
    /// Connections whose client half-closed (sent FIN while still reading).
    public var halfClosedCount: Int { counters.snapshot.halfClosed }

    final class Counters: Sendable {
        struct Values {
            var connections = 0
            var bytes = 0
            var halfClosed = 0
        }

        private let values = Mutex(Values())

        var snapshot: Values { values.withLock { $0 } }
        func connectionOpened() { values.withLock { $0.connections += 1 } }
        func echoed(_ count: Int) { values.withLock { $0.bytes += count } }
        func halfClosed() { values.withLock { $0.halfClosed += 1 } }
    }

    /// Echoes and mirrors half-close; confined to its event loop.
    final class EchoHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let counters: Counters
        private let replyAfterEOF: Bool
        private var held: [ByteBuffer] = []

        init(counters: Counters, replyAfterEOF: Bool) {
            self.counters = counters
            self.replyAfterEOF = replyAfterEOF
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            counters.echoed(buffer.readableBytes)
            if replyAfterEOF {
                held.append(buffer)
            } else {
                context.write(data, promise: nil)
            }
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            guard case .some(.inputClosed) = event as? ChannelEvent else {
                context.fireUserInboundEventTriggered(event)
                return
            }
            // The client is done sending: everything it sent has been echoed (writes are ordered),
            // so close our sending side too, which the client sees as EOF.
            counters.halfClosed()
            for buffer in held { context.write(wrapOutboundOut(buffer), promise: nil) }
            held = []
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)))
                .assumeIsolated().whenComplete { _ in
                    context.close(mode: .output, promise: nil)
                    context.close(promise: nil)
                }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}
