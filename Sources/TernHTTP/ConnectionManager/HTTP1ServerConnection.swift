import NIOCore
import NIOHTTP1
import TernCore
import TernNetwork

/// The HTTP/1.1 downstream codec of the connection manager: parses requests itself
/// (`HTTP1RequestParser`) and turns them into streams one at a time, answers pipelined requests
/// in order (later requests wait, and reading stops while they do), frames responses, and
/// enforces connection-level limits and timeouts.
/// Malformed input gets 400 (431 for oversized headers) and a clean close.
final class HTTP1ServerConnection: TimerListNode, ChannelDuplexHandler, RemovableChannelHandler, StreamCodec, TickFlushable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = ByteBuffer

    let config: HTTPConnectionManagerConfig
    let connection: DownstreamConnection
    var context: ChannelHandlerContext!
    /// The channel's allocator, taken once: `context.channel` costs reference counting on
    /// every read.
    var allocator = ByteBufferAllocator()
    var stream: ActiveStream?
    var parser: HTTP1RequestParser
    /// Parts of pipelined requests that arrived while `stream` was still being answered.
    var pending = CircularBuffer<HTTP1RequestParser.Part>()
    /// Bytes after a request that switches protocols, for the tunnel if it comes.
    var tunnelBytes: ByteBuffer?
    var readHeld = false
    var readDisabled = false
    var requests = 0
    var closeAfterResponse = false
    var closed = false
    /// After the last response: output shut, input read and dropped until the peer closes.
    var discarding = false
    /// Closes the connection a second after `delayedClose` if the peer has not.
    var delayedCloseTimer: Scheduled<Void>?
    var responseIsHead = false
    /// The response being written uses chunked framing (decided in `frame`).
    var responseChunked = false
    /// A bodyless request's stream is complete at its head; the parser still delivers its `.end`.
    var awaitingEnd = false
    var responseCloseDelimited = false
    /// Response bytes were written (or are pending) but not flushed yet.
    var unflushed = false
    /// The worker's flusher holds this connection for the end of the tick.
    var flushScheduled = false
    /// A response head held to go out with its first body chunk in one write (`writePending`).
    var pendingOut: ByteBuffer?
    /// The buffer response heads are serialized into, reused from one response to the next.
    var output = HTTP1OutputBuffer()

    let workerState: HTTPWorkerState
    /// `codec_type: AUTO`: the HTTP/1 stats wait until the first bytes confirm HTTP/1.1
    /// (`codecDetected`), as Envoy creates its codec on the first data.
    let awaitsDetection: Bool
    var countedHTTP1 = false

    init(config: HTTPConnectionManagerConfig, connection: DownstreamConnection, awaitsDetection: Bool = false) {
        self.config = config
        self.connection = connection
        self.awaitsDetection = awaitsDetection
        self.parser = HTTP1RequestParser(maxHeadBytes: config.maxRequestHeadersBytes)
        self.workerState = HTTPWorkerState.of(connection.worker)
        super.init()
    }

    var worker: Int { connection.worker.index }

    // MARK: - lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        allocator = context.channel.allocator
        let s = config.stats
        s.downstreamCxTotal.inc(worker: worker)
        s.downstreamCxActive.inc(worker: worker)
        if !awaitsDetection { countHTTP1() }
        // Strong on purpose (no weak side table on this hot object); cleared when the channel goes.
        connection.onDrain = { self.drain() }
        armIdleTimer()
    }

    // The context holds this handler and this handler its context: NIO unlinks a removed
    // context from the pipeline but cannot break that cycle, so without this every closed
    // connection would stay in memory. The stream-facing methods below find no context once
    // the handler is gone (closed, or replaced by a tunnel) and do nothing.
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        connection.onDrain = nil
        cancelIdleTimer()
        delayedCloseTimer?.cancel()
        delayedCloseTimer = nil
        let s = config.stats
        s.downstreamCxActive.dec(worker: worker)
        if countedHTTP1 { s.downstreamCxHTTP1Active.dec(worker: worker) }
        s.downstreamCxDestroy.inc(worker: worker)
        if let stream {
            s.downstreamCxDestroyActiveRq.inc(worker: worker)
            s.downstreamCxDestroyRemote.inc(worker: worker)
            self.stream = nil
            stream.downstreamReset()
        } else {
            s.downstreamCxDestroyLocal.inc(worker: worker)
        }
        context.fireChannelInactive()
    }

    // MARK: - inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if discarding { return }
        let clock = workerState.clock
        clock.enter()
        defer { clock.leave() }
        var buffer = unwrapInboundIn(data)
        do {
            while let part = try parser.next(&buffer) {
                if !pending.isEmpty || (stream != nil && stream!.requestComplete && !awaitingEnd) {
                    pending.append(part)
                } else {
                    handle(consume part)
                }
                if discarding || closed { return }
            }
        } catch {
            protocolError(error)
            return
        }
        if parser.isUpgraded, buffer.readableBytes > 0 {
            // Bytes sent right behind an upgrade request wait for the tunnel (a bounded amount:
            // the upstream's answer decides whether there will be one).
            if tunnelBytes == nil { tunnelBytes = buffer } else { tunnelBytes!.writeImmutableBuffer(buffer) }
            if tunnelBytes!.readableBytes > Self.maxEarlyTunnelBytes { context.close(promise: nil) }
        }
    }

    /// What a client may send after an upgrade request before the upgrade is answered.
    static let maxEarlyTunnelBytes = 1 << 20

    /// `part` is consumed: the head's headers then have one owner, so the connection manager's
    /// and the router's edits change them in place instead of copying the whole list first.
    func handle(_ part: consuming HTTP1RequestParser.Part) {
        switch consume part {
        case .head(let head, let scan, let keepAlive, let bodyless):
            cancelIdleTimer()
            requests += 1
            if !keepAlive || connection.draining { closeAfterResponse = true }
            // After an upgrade request the parser stops: unless it becomes a tunnel, close after it.
            if scan.contains(.upgrade) || head.method == .CONNECT { closeAfterResponse = true }
            if let max = config.maxRequestsPerConnection, requests >= max {
                if !closeAfterResponse { config.stats.downstreamCxMaxRequestsReached.inc(worker: worker) }
                closeAfterResponse = true
            }
            responseIsHead = head.method == .HEAD
            let s = ActiveStream(config: config, connection: connection, codec: self, workerState: workerState)
            stream = s
            awaitingEnd = true
            // HTTP/1.1 framing: without content-length or transfer-encoding there is no body, so
            // the request is complete with its head (as Envoy's codec reports end_stream).
            s.onRequestHead(head, endStream: bodyless, scan: scan)
        case .body(let buffer):
            stream?.onRequestBody(buffer)
        case .end(let trailers):
            awaitingEnd = false
            if let s = stream, !s.requestComplete { s.onRequestEnd(trailers) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client closed its side. As Envoy's connection manager (which does not enable
        // half-close for HTTP), that ends the connection: a request still in flight is reset
        // (a fault delay or an upstream wait is cancelled, the access log shows DC) rather than
        // answered into a socket the client may no longer read.
        if let e = event as? ChannelEvent, e == .inputClosed {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush()
        context.fireChannelReadComplete()
    }

    /// Flushes only when a write is waiting: most responses end with their own flush, and an
    /// empty flush still walks the pipeline.
    func flush() {
        guard unflushed, context != nil else { return }
        unflushed = false
        writePending()
        context.flush()
    }

    /// The response's last write goes out at the end of the tick, with the other responses the
    /// tick wrote (see `TickFlusher`). A response made inside this connection's read goes at
    /// the read's completion, which NIO signals before it acts on an EOF read in the same pass.
    func flushAtTickEnd() {
        unflushed = true
        guard !flushScheduled else { return }
        flushScheduled = true
        connection.worker.flusher.flushAtTickEnd(self)
    }

    func tickEnded() {
        flushScheduled = false
        flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if discarding { return }
        config.stats.downstreamCxProtocolError.inc(worker: worker)
        context.close(promise: nil)
    }

    /// A request the parser refused: 400 (431 for oversized headers, 426 for an HTTP version
    /// Envoy does not speak, 501 for a transfer coding other than chunked), then a clean close.
    func protocolError(_ error: HTTPParserError) {
        if discarding { return }
        config.stats.downstreamCxProtocolError.inc(worker: worker)
        let status: HTTPResponseStatus
        var body = ""
        switch error {
        case .headerOverflow:
            status = .requestHeaderFieldsTooLarge
            config.stats.downstreamRqTooLarge.inc(worker: worker)
        case .invalidVersion:
            // Envoy's codec refuses HTTP versions it does not speak with 426.
            status = .upgradeRequired
            body = "Upgrade Required"
        case .unknown:
            // A transfer coding other than chunked (the parser's `unknown`): Envoy's 501.
            status = .notImplemented
        default:
            status = .badRequest
        }
        closeAfterResponse = true
        pending.removeAll()
        if let stream, stream.responseStarted {
            // Mid-response there is no way to answer; close once what we have is sent.
            stream.resetStream(flags: .downstreamProtocolError, details: "http1.codec_error")
            return
        }
        if let stream {
            stream.sendLocalReply(status: status, body: body, details: "http1.codec_error", flags: .downstreamProtocolError, headers: nil)
        } else {
            var headers = HTTPHeaders()
            if !body.isEmpty { headers.add(name: "content-type", value: "text/plain") }
            headers.add(name: "content-length", value: String(body.utf8.count))
            headers.add(name: "server", value: config.serverName)
            headers.add(name: "connection", value: "close")
            var buffer = allocator.buffer(capacity: 160 + body.utf8.count)
            HTTP1Serializer.write(HTTPResponseHead(version: .http1_1, status: status, headers: headers), into: &buffer)
            buffer.writeString(body)
            context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { [self] _ in self.delayedClose() }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { stream?.downstreamBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: - outbound reads: pipelining and flow control

    func read(context: ChannelHandlerContext) {
        if !discarding && (readDisabled || !pending.isEmpty) {
            readHeld = true
            return
        }
        context.read()
    }

    func releaseHeldRead() {
        guard readHeld, !readDisabled, pending.isEmpty, let context else { return }
        readHeld = false
        context.read()
    }

    // MARK: - StreamCodec

    var isWritable: Bool { context?.channel.isWritable ?? false }
    var closingAfterResponse: Bool { closeAfterResponse || connection.draining || connection.worker.healthCheck.isFailed }

    func setReadDisabled(_ disabled: Bool) {
        readDisabled = disabled
        if !disabled { releaseHeldRead() }
    }

    func write100Continue() {
        guard let context else { return }
        var buffer = allocator.buffer(capacity: 32)
        buffer.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// A small first body chunk joins the bytes of its head in one buffer: one write through the
    /// pipeline instead of two or three, for a copy of at most this much.
    static let coalescedBodyBytes = 8 * 1024

    func writeResponseHead(_ head: HTTPResponseHead, endStream: Bool) {
        guard let context else { return }
        var head = head
        frame(&head, endStream: endStream)
        var buffer = output.take(allocator, capacity: 512)
        HTTP1Serializer.write(head, into: &buffer)
        // Held until the body, the end or the flush: whichever comes first takes it along.
        pendingOut = buffer
        unflushed = true
        if endStream { writeEnd(nil) }
    }

    /// The response bytes not handed to the channel yet (a head waiting for its body).
    func writePending() {
        guard let out = pendingOut, let context else { return }
        pendingOut = nil
        output.handedOver(out)
        context.write(wrapOutboundOut(out), promise: nil)
    }

    func writeResponseBody(_ data: ByteBuffer, endStream: Bool) {
        guard let context else { return }
        if !responseIsHead, data.readableBytes > 0 {
            config.stats.downstreamCxTxBytesTotal.inc(worker: worker, by: UInt64(data.readableBytes))
            if var out = pendingOut, data.readableBytes <= Self.coalescedBodyBytes {
                // The first chunk joins the head, and both go to the channel now: every byte from
                // here on counts in its writability, which pauses the upstream for a slow client.
                pendingOut = nil
                if responseChunked { HTTP1Serializer.writeChunkHeader(size: data.readableBytes, into: &out) }
                out.writeImmutableBuffer(data)
                if responseChunked { out.writeStaticString("\r\n") }
                if endStream {
                    // The whole response: `writeEnd` below sends it with its end in one pass
                    // through the pipeline.
                    pendingOut = out
                } else {
                    output.handedOver(out)
                    context.write(wrapOutboundOut(out), promise: nil)
                }
            } else {
                writePending()
                if responseChunked {
                    HTTP1Serializer.writeChunk(data, on: context)
                } else {
                    context.write(wrapOutboundOut(data), promise: nil)
                }
            }
            unflushed = true
        }
        if endStream {
            writeEnd(nil)
        } else if !context.channel.isWritable {
            flush()
        }
    }

    func writeResponseTrailers(_ trailers: HTTPHeaders) {
        writeEnd(trailers)
    }

    func writeEnd(_ trailers: HTTPHeaders?) {
        guard let context else { return }
        var end = pendingOut ?? ByteBuffer()
        pendingOut = nil
        if responseChunked, !responseIsHead {
            if end.capacity == 0 { end = allocator.buffer(capacity: 8) }
            HTTP1Serializer.writeLastChunk(trailers: trailers, into: &end)
        }
        responseChunked = false
        if end.readableBytes > 0 { output.handedOver(end) }
        let part = wrapOutboundOut(end)
        let requestDone = stream?.requestComplete ?? true
        if closingAfterResponse || responseCloseDelimited || !requestDone {
            // Close only once the last byte is written: closing earlier would drop queued bytes.
            let promise = context.eventLoop.makePromise(of: Void.self)
            unflushed = false
            context.writeAndFlush(part, promise: promise)
            promise.futureResult.assumeIsolated().whenComplete { [self] _ in self.delayedClose() }
        } else {
            // What is left (often the whole response) goes out with every other response this
            // tick wrote; a content-length response already handed over has nothing left.
            if end.readableBytes > 0 { context.write(part, promise: nil) }
            flushAtTickEnd()
        }
    }

    func resetStream() {
        stream = nil
        config.stats.downstreamCxDestroyLocal.inc(worker: worker)
        writePending()
        context?.flush()
        context?.close(promise: nil)
    }

    func streamComplete(_ finished: ActiveStream) {
        guard stream === finished else { return }
        if !finished.requestComplete {
            // Envoy closes an HTTP/1.1 connection whose response finished before its request.
            config.stats.downstreamRqResponseBeforeRqComplete.inc(worker: worker)
            closeAfterResponse = true
        }
        stream = nil
        if closingAfterResponse || responseCloseDelimited {
            if connection.draining { config.stats.downstreamCxDrainClose.inc(worker: worker) }
            // writeEnd already asked for the close after the last byte.
            closeAfterResponse = true
            pending.removeAll()
            return
        }
        responseCloseDelimited = false
        // Serve what was pipelined behind the finished request, in order.
        while let part = pending.popFirst() {
            handle(part)
            if let s = stream, s.requestComplete { break }
        }
        if stream == nil { armIdleTimer() }
        releaseHeldRead()
    }


    // MARK: - connection idle timeout

    /// Envoy starts a drain when the idle timeout fires: a request already on its way is still
    /// answered (with `connection: close`), and the connection closes after `drain_timeout`.
    override func timerExpired() {
        guard !closed, stream == nil else { return }
        config.stats.downstreamCxIdleTimeout.inc(worker: worker)
        drain()
    }
}
