import NIOCore
import NIOHTTP1
import TernCore
import TernUpstream

/// One pooled HTTP/1.1 connection to an upstream host: carries one request at a time for its
/// current delegate, gates reads for response backpressure, and reports whether it may be reused.
final class HTTP1UpstreamConnection: TimerListNode, ChannelDuplexHandler, RemovableChannelHandler, UpstreamRequestStream,
    TickFlushable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = ByteBuffer

    /// Strong: the pool keeps only idle connections, so there is no lasting cycle.
    var pool: HTTP1ConnectionPool?
    /// Strong while an exchange runs; cleared when it ends, so no cycle outlives it.
    var delegate: (any UpstreamResponseDelegate)?
    private(set) var context: ChannelHandlerContext?
    /// The channel's allocator, taken once: `context.channel` costs reference counting on
    /// every read.
    private var allocator = ByteBufferAllocator()
    let host: Host
    let stats: ClusterStats
    let worker: Int
    /// The worker's clock, cached across each read (see `LoopClock`).
    let clock: LoopClock
    /// Flushes a request's last write with the others of the tick.
    private let flusher: TickFlusher
    private var flushScheduled = false
    /// The buffer request heads are serialized into, reused from one request to the next.
    private var output = HTTP1OutputBuffer()
    private(set) var requestsSent = 0
    private var requestEnded = false
    private var responseEnded = false
    private var reusable = true
    private var readHeld = false
    private var readPaused = false
    private(set) var isOpen = true
    private var upgrading = false
    /// Sits in the worker's idle-timeout list while the connection is pooled and idle.

    override func timerExpired() {
        stats.upstreamCxIdleTimeout.inc(worker: worker)
        close()
    }

    private var parser = HTTP1ResponseParser()
    /// Bytes read after a 101 head, for the tunnel that takes the connection over.
    private var tunnelBytes: ByteBuffer?
    /// The request being written uses chunked framing.
    private var requestChunked = false

    init(host: Host, stats: ClusterStats, worker: Int, clock: LoopClock, flusher: TickFlusher) {
        self.clock = clock
        self.flusher = flusher
        self.host = host
        self.stats = stats
        self.worker = worker
        super.init()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        allocator = context.channel.allocator
    }

    // The context holds this handler and this handler its context: NIO unlinks a removed
    // context from the pipeline but cannot break that cycle, so without this every closed
    // connection would stay in memory.
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    var channel: (any Channel)? { context?.channel }

    // MARK: - requests

    func sendHead(_ head: HTTPRequestHead, endStream: Bool) {
        guard let context else { return }
        requestsSent += 1
        requestEnded = false
        responseEnded = false
        if !head.isKeepAlive { reusable = false }
        requestChunked = head.headers.first(name: "transfer-encoding") == "chunked"
        parser.expectResponse(to: head.method)
        var buffer = output.take(allocator, capacity: 256)
        HTTP1Serializer.write(head, into: &buffer)
        output.handedOver(buffer)
        if endStream && !requestChunked {
            context.write(wrapOutboundOut(buffer), promise: nil)
            flushAtTickEnd()
            requestEnded = true
            finishIfDone()
        } else {
            context.write(wrapOutboundOut(buffer), promise: nil)
            if endStream { sendEnd(nil) }
        }
    }

    func sendBody(_ data: ByteBuffer) {
        guard let context, data.readableBytes > 0 else { return }
        stats.upstreamCxTxBytesTotal.inc(worker: worker, by: UInt64(data.readableBytes))
        if requestChunked {
            HTTP1Serializer.writeChunk(data, on: context)
        } else {
            context.write(wrapOutboundOut(data), promise: nil)
        }
        // Each chunk goes out at once (a streamed request must not wait for the next one): the
        // downstream read that produced it is the batch.
        context.flush()
    }

    func sendEnd(_ trailers: HTTPHeaders?) {
        guard let context else { return }
        if requestChunked {
            var end = allocator.buffer(capacity: 8)
            HTTP1Serializer.writeLastChunk(trailers: trailers, into: &end)
            context.write(wrapOutboundOut(end), promise: nil)
        }
        flushAtTickEnd()
        requestEnded = true
        finishIfDone()
    }

    func flush() { context?.flush() }

    /// A request's last write goes out at the end of the tick, with the other requests the tick
    /// wrote (see `TickFlusher`).
    private func flushAtTickEnd() {
        guard !flushScheduled else { return }
        flushScheduled = true
        flusher.flushAtTickEnd(self)
    }

    func tickEnded() {
        flushScheduled = false
        if isOpen { context?.flush() }
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    /// Response backpressure: stop or resume reading from the upstream.
    func setReadPaused(_ paused: Bool) {
        readPaused = paused
        if !paused, readHeld {
            readHeld = false
            context?.read()
        }
    }

    /// Gives the connection up mid-exchange (timeout, downstream reset): it cannot be reused.
    func abort() {
        delegate = nil
        reusable = false
        close()
    }

    func giveBack() { pool?.release(self) }

    func close() {
        guard isOpen else { return }
        isOpen = false
        cancelTimer()
        context?.close(promise: nil)
    }

    /// Hands the connection to `tunnel` after a 101: it leaves the pool and stops speaking HTTP.
    func switchToTunnel(_ tunnel: TunnelHandler) -> Bool {
        guard let context, isOpen else { return false }
        isOpen = false
        cancelTimer()
        pool?.connectionClosed(self)
        pool = nil
        let stats = self.stats
        let w = worker
        let host = self.host
        tunnel.onClose = {
            stats.upstreamCxActive.dec(worker: w)
            stats.upstreamCxDestroy.inc(worker: w)
            host.stats.cxActive.subtract(1, ordering: .relaxed)
        }
        let early = tunnelBytes
        tunnelBytes = nil
        guard tunnel.takeOver(from: context) else { return false }
        if let early { tunnel.forward(early) }
        return true
    }

    // MARK: - inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        clock.enter()
        defer { clock.leave() }
        var buffer = unwrapInboundIn(data)
        do {
            while let part = try parser.next(&buffer) {
                if upgrading, case .end = part, buffer.readableBytes > 0 { tunnelBytes = buffer }
                handle(part)
            }
        } catch {
            stats.upstreamCxProtocolError.inc(worker: worker)
            reusable = false
            if let d = delegate {
                delegate = nil
                d.upstreamReset(.protocolError)
            }
            close()
        }
    }

    private func handle(_ part: consuming HTTP1ResponseParser.Part) {
        switch consume part {
        case .head(let head):
            if !parser.keepAlive || parser.endsAtClose { reusable = false }
            if head.status == .switchingProtocols { upgrading = true }
            delegate?.upstreamResponseHead(consume head, endStream: false)
        case .body(let body):
            stats.upstreamCxRxBytesTotal.inc(worker: worker, by: UInt64(body.readableBytes))
            delegate?.upstreamResponseBody(body)
        case .end(let trailers):
            if upgrading {
                // The 101 is complete; the connection now belongs to the tunnel.
                let d = delegate
                delegate = nil
                d?.upstreamUpgraded(self)
                return
            }
            responseEnded = true
            let d = delegate
            if !requestEnded {
                // The upstream answered before taking the whole request (an early 413, say):
                // the rest of the body will not be sent, so the connection cannot be reused.
                reusable = false
                delegate = nil
                close()
            } else {
                finishIfDone()
            }
            d?.upstreamResponseEnd(trailers)
        }
    }

    private func finishIfDone() {
        guard requestEnded, responseEnded else { return }
        delegate = nil
        if reusable, isOpen {
            // The exchange paused reading for a slow client and ended before resuming (its end
            // was in the same read): the next exchange must read again.
            setReadPaused(false)
            pool?.release(self)
        } else {
            close()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
        context.fireChannelReadComplete()
    }

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

    func channelInactive(context: ChannelHandlerContext) {
        // A response without length ends where the connection does.
        if parser.closed() { handle(.end(nil)) }
        isOpen = false
        cancelTimer()
        stats.upstreamCxActive.dec(worker: worker)
        stats.upstreamCxDestroy.inc(worker: worker)
        host.stats.cxActive.subtract(1, ordering: .relaxed)
        if let d = delegate {
            delegate = nil
            stats.upstreamCxDestroyRemote.inc(worker: worker)
            d.upstreamReset(.connectionTermination)
        } else {
            stats.upstreamCxDestroyLocal.inc(worker: worker)
        }
        pool?.connectionClosed(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        reusable = false
        if let d = delegate {
            delegate = nil
            d.upstreamReset(.connectionTermination)
        }
        close()
    }
}
