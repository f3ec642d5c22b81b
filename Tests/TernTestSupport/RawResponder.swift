// A TCP server on 127.0.0.1 port 0 that answers every request head (a blank line) with the same
// raw bytes: the upstream for responses no HTTP server library will write, such as a chunked
// body with trailers.

import NIOCore
import NIOPosix

/// An in-process upstream that writes `response` verbatim once per request head it reads.
public final class RawResponder: Sendable {
    /// The port it listens on, chosen by the kernel.
    public let port: Int

    private let channel: Channel

    private init(channel: Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    /// Starts listening. `response` is sent as is (CRLFs included) for each request.
    public static func start(response: String) async throws -> RawResponder {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawResponseHandler(response: response))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw HarnessError("raw responder has no port") }
        return RawResponder(channel: channel, port: port)
    }

    /// Stops listening.
    public func stop() async {
        try? await channel.close().get()
    }
}

private final class RawResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let response: String
    /// Request bytes not yet ending in a blank line (bodyless requests only).
    private var pending: [UInt8] = []

    init(response: String) {
        self.response = response
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        let blankLine: [UInt8] = Array("\r\n\r\n".utf8)
        while let end = pending.firstRange(of: blankLine) {
            pending.removeSubrange(..<end.upperBound)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response)), promise: nil)
        }
    }
}
