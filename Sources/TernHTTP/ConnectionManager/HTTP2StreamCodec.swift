import NIOCore
internal import NIOHPACK
import NIOHTTP1
internal import NIOHTTP2
import TernNetwork

/// The downstream side of one HTTP/2 stream: sits in the stream's child channel (one per stream,
/// made by NIOHTTP2's multiplexer) and feeds one `ActiveStream`. Request HEADERS become an
/// HTTP/1-shaped head (`:method`/`:path` the request line, `:authority` the `host` header) so the
/// connection manager's header policy, the filters and the router see the same head for both
/// protocols; DATA and trailing HEADERS become body and trailers. The response goes back as
/// HEADERS, DATA and trailing HEADERS with the connection-specific headers HTTP/2 forbids removed.
final class HTTP2StreamCodec: ChannelDuplexHandler, StreamCodec {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundIn = Never
    typealias OutboundOut = HTTP2Frame.FramePayload

    let config: HTTPConnectionManagerConfig
    let connection: DownstreamConnection
    let workerState: HTTPWorkerState
    var context: ChannelHandlerContext!
    var stream: ActiveStream?
    /// The request head arrived; later HEADERS are trailers.
    var sawHead = false
    /// The response ended before the request: the rest of the request is dropped.
    var ignoringRequest = false
    var readDisabled = false
    var readHeld = false
    /// The connection, told when this stream ends (premature-reset accounting).
    let server: HTTP2ServerConnection?
    let createdAt = NIODeadline.now()
    /// A response head was written: the stream has a response code (Envoy's premature-reset test).
    var respondedWithHead = false

    init(config: HTTPConnectionManagerConfig, connection: DownstreamConnection, workerState: HTTPWorkerState,
         server: HTTP2ServerConnection? = nil) {
        self.config = config
        self.connection = connection
        self.workerState = workerState
        self.server = server
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    // MARK: - inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let headers):
            if !sawHead {
                sawHead = true
                onHead(headers.headers, endStream: headers.endStream)
            } else if !ignoringRequest, let stream, !stream.requestComplete {
                // Trailing HEADERS always end the request (RFC 9113 §8.1).
                stream.onRequestEnd(Self.trailers(headers.headers))
            }
        case .data(let data):
            guard !ignoringRequest, let stream, !stream.requestComplete else { return }
            if case .byteBuffer(let buffer) = data.data, buffer.readableBytes > 0 {
                stream.onRequestBody(buffer)
            }
            // The stream may have finished (a local reply) while the body was handed over.
            if data.endStream, let s = self.stream, !s.requestComplete { s.onRequestEnd(nil) }
        default:
            break
        }
    }

    private func onHead(_ fields: HPACKHeaders, endStream: Bool) {
        var method = ""
        var path = ""
        var authority: String?
        var headers = HTTPHeaders()
        headers.reserveCapacity(fields.count + 4)
        var hasContentLength = false
        for (name, value, _) in fields {
            if name.utf8.first == UInt8(ascii: ":") {
                switch name {
                case ":method": method = value
                case ":path": path = value
                case ":authority": authority = value
                default: break  // :scheme is implied by the listener (no TLS yet: http)
                }
                continue
            }
            if name == "host" {
                // :authority wins over a host header (RFC 9113 §8.3.1); both never reach upstream.
                if authority == nil { authority = value }
                continue
            }
            if name == "content-length" { hasContentLength = true }
            headers.add(name: name, value: value)
        }
        if let authority { headers.add(name: "host", value: authority) }  // every host field was skipped above
        if method == "CONNECT" { path = authority ?? "" }
        // The upstream speaks HTTP/1.1: a body without content-length is sent chunked there.
        if !endStream && !hasContentLength { headers.add(name: "transfer-encoding", value: "chunked") }
        let scan = HeaderScan(headers)
        let head = HTTPRequestHead(version: .http2, method: HTTPMethod(rawValue: method), uri: path, headers: headers)
        let s = ActiveStream(config: config, connection: connection, codec: self, workerState: workerState)
        stream = s
        s.onRequestHead(head, endStream: endStream, scan: scan)
    }

    static func trailers(_ fields: HPACKHeaders) -> HTTPHeaders {
        var out = HTTPHeaders()
        for (name, value, _) in fields where name.utf8.first != UInt8(ascii: ":") { out.add(name: name, value: value) }
        return out
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The stream closed (RST_STREAM from the client, or the connection went) before its
        // response finished.
        if let stream {
            self.stream = nil
            stream.downstreamReset()
        }
        // Envoy's premature reset: a stream that ended within its first second without a
        // response (whole seconds, as Envoy truncates them: under 2 s).
        server?.streamEnded(premature: !respondedWithHead && NIODeadline.now() - createdAt < .seconds(2))
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { stream?.downstreamBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: - flow control: reads of this stream's frames are held while disabled

    func read(context: ChannelHandlerContext) {
        if readDisabled {
            readHeld = true
            return
        }
        context.read()
    }

    // MARK: - StreamCodec

    var isWritable: Bool { context.channel.isWritable }
    /// HTTP/2 never closes the connection for one response.
    var closingAfterResponse: Bool { false }

    func setReadDisabled(_ disabled: Bool) {
        readDisabled = disabled
        if !disabled, readHeld {
            readHeld = false
            context.read()
        }
    }

    func write100Continue() {
        let headers = HPACKHeaders([(":status", "100")])
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: headers, endStream: false))), promise: trackFrame())
    }

    func writeResponseHead(_ head: HTTPResponseHead, endStream: Bool) {
        respondedWithHead = true
        var headers = HPACKHeaders([(":status", String(head.status.code))])
        // Lowercases names and drops connection, keep-alive, proxy-connection, transfer-encoding
        // and upgrade (and whatever `connection` names), as HTTP/2 requires.
        headers.add(contentsOf: HPACKHeaders(httpHeaders: head.headers, normalizeHTTPHeaders: true))
        let frame = wrapOutboundOut(.headers(.init(headers: headers, endStream: endStream)))
        if endStream { context.writeAndFlush(frame, promise: trackFrame()) } else { context.write(frame, promise: trackFrame()) }
    }

    func writeResponseBody(_ data: ByteBuffer, endStream: Bool) {
        if data.readableBytes > 0 {
            config.stats.downstreamCxTxBytesTotal.inc(worker: connection.worker.index, by: UInt64(data.readableBytes))
        }
        // Each chunk from the upstream goes out at once: the upstream read that produced it is
        // the natural batch.
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(data), endStream: endStream))), promise: trackFrame())
    }

    func writeResponseTrailers(_ trailers: HTTPHeaders) {
        let headers = HPACKHeaders(httpHeaders: trailers, normalizeHTTPHeaders: true)
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: headers, endStream: true))), promise: trackFrame())
    }

    /// Counts a HEADERS or DATA frame against `max_outbound_frames` until it is on the socket.
    private func trackFrame() -> EventLoopPromise<Void>? { server?.flood?.trackStreamFrame() }

    /// RST_STREAM with NO_ERROR, as Envoy's codec does for a local reset; the connection and its
    /// other streams go on.
    func resetStream() {
        stream = nil
        ignoringRequest = true
        context.writeAndFlush(wrapOutboundOut(.rstStream(.noError)), promise: nil)
    }

    func streamComplete(_ finished: ActiveStream) {
        guard stream === finished else { return }
        stream = nil
        if !finished.requestComplete {
            // The response ended first (a local reply): tell the client to stop sending, as
            // Envoy does, instead of reading a body nobody wants.
            config.stats.downstreamRqResponseBeforeRqComplete.inc(worker: connection.worker.index)
            ignoringRequest = true
            // After the rest of this read: a frame already received for the stream that breaks
            // the protocol (a body longer than its content-length) then gets NIOHTTP2's
            // PROTOCOL_ERROR reset, as Envoy's codec gives it, rather than being ignored.
            let context = self.context!
            context.eventLoop.assumeIsolated().execute { [self] in
                guard context.channel.isActive else { return }
                context.writeAndFlush(wrapOutboundOut(.rstStream(.noError)), promise: nil)
            }
        }
        setReadDisabled(false)
    }

    func switchToTunnel(_ tunnel: TunnelHandler) -> Bool { false }

    /// Every write above already flushes.
    func flush() {}
}
