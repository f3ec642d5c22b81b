import NIOCore
import NIOHPACK
import NIOHTTP2

/// The handler of one gRPC health-check stream (a child channel of the HTTP/2 connection): feeds
/// the response frames to a `GRPCHealthCheckResponseParser` and hands the outcome to its session
/// once, with the check it belongs to. A stream that closes first (RST_STREAM, connection loss,
/// refused by GOAWAY) is a network failure.
final class GRPCHealthCheckStreamHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let session: HealthCheckSession
    /// The HTTP/2 connection this stream runs on, which the session knows as its channel.
    private let connection: any Channel
    private let checkID: Int
    private var parser = GRPCHealthCheckResponseParser()
    private var reported = false

    init(session: HealthCheckSession, connection: any Channel, checkID: Int) {
        self.session = session
        self.connection = connection
        self.checkID = checkID
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let h):
            parser.headers(h.headers.map { (name: $0.name, value: $0.value) }, endStream: h.endStream)
        case .data(let d):
            guard case .byteBuffer(let buffer) = d.data else { return }
            parser.data(buffer.readableBytesView, endStream: d.endStream)
        default:
            return
        }
        if let outcome = parser.outcome, !reported {
            reported = true
            session.grpcOutcome(outcome, checkID: checkID, from: connection)
            // Stop reading a stream that decided early (e.g. a non-200 head): a RST_STREAM,
            // as Envoy resets a stream it gives up on. A finished stream is closed already.
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !reported {
            reported = true
            session.grpcStreamReset(checkID: checkID, from: connection)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The last handler of the gRPC health-check connection, after `NIOHTTP2Handler`: sees the
/// connection-level frames (GOAWAY) and the connection's end.
final class GRPCHealthCheckConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTP2Frame

    private let session: HealthCheckSession

    init(session: HealthCheckSession) {
        self.session = session
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .goAway(_, let errorCode, _) = unwrapInboundIn(data).payload {
            session.grpcGoAway(noError: errorCode == .noError, from: context.channel)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.closed(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A protocol error on the connection: it is of no further use.
        context.close(promise: nil)
    }
}

extension GRPCHealthCheckConfig {
    /// The request's HEADERS, as Envoy's `Grpc::Common::prepareHeaders`, then `initial_metadata`.
    func requestHeaders(authority: String) -> HPACKHeaders {
        var headers = HPACKHeaders([(":method", "POST"), (":scheme", "http"), (":path", Self.path),
                                    (":authority", authority), ("content-type", "application/grpc"), ("te", "trailers")])
        for m in initialMetadata {
            if !m.append { headers.remove(name: m.name) }
            headers.add(name: m.name, value: m.value)
        }
        return headers
    }
}
