import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// What the fake upstreams saw, for assertions from the test thread.
final class UpstreamObservations: Sendable {
    private let state = NIOLockedValueBox((eofs: 0, bytes: 0, connections: 0))
    func connected() { state.withLockedValue { $0.connections += 1 } }
    func read(_ n: Int) { state.withLockedValue { $0.bytes += n } }
    func sawEOF() { state.withLockedValue { $0.eofs += 1 } }
    var eofs: Int { state.withLockedValue { $0.eofs } }
    var bytes: Int { state.withLockedValue { $0.bytes } }
    var connections: Int { state.withLockedValue { $0.connections } }
}

/// Closes `context`'s channel once what was written to it has gone out (an output shutdown on a
/// channel whose input is shut would drop queued bytes).
func closeAfterFlush(_ context: ChannelHandlerContext) {
    let done = context.eventLoop.makePromise(of: Void.self)
    context.writeAndFlush(NIOAny(ByteBuffer()), promise: done)
    done.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
}

/// Echoes every byte; closes after the client's EOF once the echo is out.
final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let seen: UpstreamObservations
    init(seen: UpstreamObservations) { self.seen = seen }

    func channelActive(context: ChannelHandlerContext) { seen.connected() }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        seen.read(unwrapInboundIn(data).readableBytes)
        context.write(data, promise: nil)
    }
    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed {
            seen.sawEOF()
            closeAfterFlush(context)
        }
    }
}

/// Reads until EOF, then answers `received <n>` and closes: the reply can only arrive if the
/// client's half-close reached the upstream and the proxy kept the other direction open.
final class ReplyOnEOFHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let seen: UpstreamObservations
    private var count = 0
    init(seen: UpstreamObservations) { self.seen = seen }

    func channelActive(context: ChannelHandlerContext) { seen.connected() }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let n = unwrapInboundIn(data).readableBytes
        count += n
        seen.read(n)
    }
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed {
            seen.sawEOF()
            context.write(wrapOutboundOut(ByteBuffer(string: "received \(count)")), promise: nil)
            closeAfterFlush(context)
        }
    }
}

/// Speaks first and half-closes at once (`hi\n`, then EOF), then counts what the client sends
/// until the client's EOF (seen as the channel closing).
final class GreetThenListenHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let seen: UpstreamObservations
    init(seen: UpstreamObservations) { self.seen = seen }

    func channelActive(context: ChannelHandlerContext) {
        seen.connected()
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "hi\n")), promise: nil)
        context.close(mode: .output, promise: nil)
    }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { seen.read(unwrapInboundIn(data).readableBytes) }
    // Our output is already shut, so NIO reports the client's EOF as a full close.
    func channelInactive(context: ChannelHandlerContext) { seen.sawEOF() }
}

/// Accepts and reads nothing until `startReading()`: the upstream that forces back-pressure.
final class StalledReaderHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let seen: UpstreamObservations
    let gate: ReadGate
    init(seen: UpstreamObservations, gate: ReadGate) {
        self.seen = seen
        self.gate = gate
    }

    func channelActive(context: ChannelHandlerContext) {
        seen.connected()
        gate.register(context.channel)
    }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { seen.read(unwrapInboundIn(data).readableBytes) }
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed {
            seen.sawEOF()
            context.close(promise: nil)
        }
    }
}

/// Holds the stalled upstream channels and lets the test open the tap.
final class ReadGate: Sendable {
    private let channels = NIOLockedValueBox<[any Channel]>([])
    func register(_ channel: any Channel) { channels.withLockedValue { $0.append(channel) } }
    func startReading() {
        for channel in channels.withLockedValue({ $0 }) {
            channel.setOption(ChannelOptions.autoRead, value: true).whenSuccess { channel.read() }
        }
    }
}

/// Starts a server on 127.0.0.1, port 0, with a fresh handler per connection.
func startUpstream(group: any EventLoopGroup, autoRead: Bool = true, receiveBuffer: Int? = nil,
                   makeHandler: @escaping @Sendable () -> any ChannelHandler) async throws -> any Channel {
    var bootstrap = ServerBootstrap(group: group)
        .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
        .childChannelOption(ChannelOptions.autoRead, value: autoRead)
    if let receiveBuffer {
        bootstrap = bootstrap.childChannelOption(ChannelOptions.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
    }
    return try await bootstrap
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(makeHandler()) }
        }
        .bind(host: "127.0.0.1", port: 0)
        .get()
}
