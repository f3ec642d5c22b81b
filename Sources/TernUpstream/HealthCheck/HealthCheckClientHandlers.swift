import NIOCore
import NIOHTTP1

/// The last handler of an HTTP health-check connection, after NIO's HTTP/1 client codec: hands
/// the response to its session (same loop).
final class HTTPHealthCheckHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private let session: HealthCheckSession

    init(session: HealthCheckSession) {
        self.session = session
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): session.httpHead(head, from: context.channel)
        case .body(let body): session.bytes(body, from: context.channel)
        case .end: session.httpEnd(from: context.channel)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.closed(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A malformed response or a reset: the connection is of no further use.
        context.close(promise: nil)
    }
}

/// The only handler of a TCP health-check connection: hands received bytes to its session.
final class TCPHealthCheckHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private let session: HealthCheckSession

    init(session: HealthCheckSession) {
        self.session = session
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        session.bytes(unwrapInboundIn(data), from: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.closed(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
