import NIOCore
import NIOHTTP1

/// NIO's HTTP/1.1 response parser without its write observation: the upstream connection
/// serializes requests itself (no encoder handler), so it tells the parser each request's
/// method directly, which the parser needs to know that a HEAD response has no body.
final class HTTP1ClientResponseDecoder: ByteToMessageDecoder {
    typealias InboundOut = HTTPClientResponsePart

    private let inner = HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes)

    /// Records the request a response will answer.
    func expectResponse(to head: HTTPRequestHead) {
        inner.write(data: .head(head))
    }

    func decoderAdded(context: ChannelHandlerContext) { inner.decoderAdded(context: context) }
    func decoderRemoved(context: ChannelHandlerContext) { inner.decoderRemoved(context: context) }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        try inner.decode(context: context, buffer: &buffer)
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try inner.decodeLast(context: context, buffer: &buffer, seenEOF: seenEOF)
    }
}
