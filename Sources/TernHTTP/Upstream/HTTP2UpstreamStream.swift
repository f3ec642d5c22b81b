import NIOCore
internal import NIOHPACK
import NIOHTTP1
internal import NIOHTTP2
import TernUpstream

/// One request on an upstream HTTP/2 connection: the handler of the stream's child channel
/// (made by NIOHTTP2's multiplexer on the connection's event loop). The router writes an
/// HTTP/1-shaped head, body and trailers; they go out as HEADERS, DATA and trailing HEADERS.
/// The response comes back to the delegate the same way an HTTP/1.1 response does.
///
/// Flow control: the child channel's writability (the stream's and connection's send windows
/// and the socket) is reported to the delegate, which pauses the downstream; `setReadPaused`
/// stops reading the child channel, so NIOHTTP2 sends no WINDOW_UPDATE for unread bytes and the
/// upstream stops after one stream window.
final class HTTP2UpstreamStream: ChannelDuplexHandler, UpstreamRequestStream {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundIn = Never
    typealias OutboundOut = HTTP2Frame.FramePayload

    /// Strong while the stream is open; the connection forgets the stream when it closes.
    let connection: HTTP2UpstreamConnection
    var delegate: (any UpstreamResponseDelegate)?
    private var context: ChannelHandlerContext?
    private let stats: ClusterStats
    private let worker: Int
    private var sawFinalHead = false
    private var responseEnded = false
    private var requestEnded = false
    private var readPaused = false
    private var readHeld = false
    /// Why NIOHTTP2 closed the stream, when it said (RST_STREAM code, GOAWAY refusal, errors).
    private var resetReason: UpstreamResetReason?
    private var closed = false

    init(connection: HTTP2UpstreamConnection, stats: ClusterStats, worker: Int) {
        self.connection = connection
        self.stats = stats
        self.worker = worker
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    /// The handler is in its stream channel's pipeline.
    var isAttached: Bool { context != nil }

    // MARK: - the request

    func sendHead(_ head: HTTPRequestHead, endStream: Bool) {
        guard let context, !closed else { return }
        let fields = HTTP2UpstreamHeaders.request(head, scheme: connection.scheme)
        context.write(wrapOutboundOut(.headers(.init(headers: fields, endStream: endStream))), promise: nil)
        if endStream {
            requestEnded = true
            context.flush()
        }
    }

    func sendBody(_ data: ByteBuffer) {
        guard let context, !closed, !requestEnded, data.readableBytes > 0 else { return }
        stats.upstreamCxTxBytesTotal.inc(worker: worker, by: UInt64(data.readableBytes))
        // Each chunk goes out at once: the downstream read that produced it is the batch.
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(data), endStream: false))), promise: nil)
    }

    func sendEnd(_ trailers: HTTPHeaders?) {
        guard let context, !closed, !requestEnded else { return }
        requestEnded = true
        if let trailers, !trailers.isEmpty {
            let fields = HTTP2UpstreamHeaders.trailerFields(trailers)
            context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: fields, endStream: true))), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))), promise: nil)
        }
    }

    func flush() { context?.flush() }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func setReadPaused(_ paused: Bool) {
        readPaused = paused
        if !paused, readHeld {
            readHeld = false
            context?.read()
        }
    }

    /// RST_STREAM (CANCEL) unless the stream already ended both ways.
    func abort() {
        delegate = nil
        guard let context, !closed else { return }
        if !(requestEnded && responseEnded) { stats.http2TxReset.inc(worker: worker) }
        // Closing a stream channel that is still open sends RST_STREAM CANCEL.
        context.close(promise: nil)
    }

    /// A stream nobody used: closed before it sent anything (no frame goes out).
    func giveBack() {
        delegate = nil
        guard let context, !closed else { return }
        context.close(promise: nil)
    }

    // MARK: - the response

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let h):
            if !sawFinalHead {
                guard let head = HTTP2UpstreamHeaders.response(h.headers) else {
                    fail(.protocolError)
                    return
                }
                // Informational heads (100 Continue) are not the response.
                if head.status.code < 200 { return }
                sawFinalHead = true
                if h.endStream {
                    responseEnded = true
                    let d = delegate
                    delegate = nil
                    d?.upstreamResponseHead(head, endStream: true)
                    if !requestEnded, !closed { context.close(promise: nil) }
                } else {
                    delegate?.upstreamResponseHead(head, endStream: false)
                }
            } else {
                end(HTTP2UpstreamHeaders.trailers(h.headers))
            }
        case .data(let d):
            guard sawFinalHead else {
                fail(.protocolError)
                return
            }
            if case .byteBuffer(let buffer) = d.data, buffer.readableBytes > 0 {
                stats.upstreamCxRxBytesTotal.inc(worker: worker, by: UInt64(buffer.readableBytes))
                delegate?.upstreamResponseBody(buffer)
            }
            if d.endStream { end(nil) }
        case .rstStream(let code):
            stats.http2RxReset.inc(worker: worker)
            resetReason = code == .refusedStream ? .remoteRefusedStreamReset : .remoteReset
        default:
            break
        }
    }

    /// The frames of this read are delivered: an HTTP/1.1 client gets what they produced now.
    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
        context.fireChannelReadComplete()
    }

    private func end(_ trailers: HTTPHeaders?) {
        guard !responseEnded else { return }
        responseEnded = true
        let d = delegate
        delegate = nil
        d?.upstreamResponseEnd(trailers)
        // The upstream answered before the request ended: the rest of the request is not wanted.
        if !requestEnded, !closed { context?.close(promise: nil) }
    }

    private func fail(_ reason: UpstreamResetReason) {
        resetReason = reason
        if reason == .protocolError { stats.upstreamCxProtocolError.inc(worker: worker) }
        let d = delegate
        delegate = nil
        context?.close(promise: nil)
        d?.upstreamReset(reason)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let closed = error as? NIOHTTP2Errors.StreamClosed {
            if resetReason == nil {
                resetReason = closed.errorCode == .refusedStream ? .remoteRefusedStreamReset : .remoteReset
            }
        } else if error is NIOHTTP2Errors.CreatedStreamAfterGoaway {
            // Opened just as a GOAWAY arrived: never sent, so never processed.
            resetReason = .remoteRefusedStreamReset
        } else if resetReason == nil, !(error is ChannelError) {
            resetReason = .protocolError
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        if let d = delegate {
            delegate = nil
            // A stream the GOAWAY left unprocessed, whatever NIOHTTP2 said, may be sent again.
            let reason = connection.refusedByGoAway(context.channel) ? .remoteRefusedStreamReset
                : (resetReason ?? .connectionTermination)
            d.upstreamReset(reason)
        }
        connection.streamClosed()
        context.fireChannelInactive()
    }

    // MARK: - flow control

    func read(context: ChannelHandlerContext) {
        if readPaused {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        delegate?.upstreamWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }
}
