#if canImport(Glibc)
import Glibc
#endif
import NIOCore
internal import NIOHPACK
internal import NIOHTTP2
import TernCore
import TernHTTP2
import TernUpstream

/// One HTTP/2 connection to an upstream host: the delegate of Tern's `HTTP2Codec` and the
/// handler after it. It hands each stream's frames to its
/// `HTTP2UpstreamStream`, gives the upstream its connection window back, flushes once per
/// event-loop tick, sees the connection-level frames (SETTINGS for the peer's
/// SETTINGS_MAX_CONCURRENT_STREAMS, GOAWAY), counts the streams open on it for its pool, and
/// closes the connection once it is draining and its last stream is done. Confined to the
/// worker's event loop.
final class HTTP2UpstreamConnection: TimerListNode, ChannelInboundHandler, HTTP2CodecDelegate {
    typealias InboundIn = ByteBuffer

    /// Strong until the connection closes (the pool holds the connection too).
    var pool: HTTP2ConnectionPool?
    private var context: ChannelHandlerContext?
    /// The protocol engine before this handler; frames go to it by direct call.
    var codec: HTTP2Codec?
    /// Streams that sent their HEADERS, by id.
    private var streams = HTTP2Streams<HTTP2UpstreamStream>()
    private var nextStreamID = HTTP2StreamID(1)
    /// Streams that got frames during the current read (told when it completes).
    private var readStreams: [HTTP2UpstreamStream] = []
    private var flushQueued = false
    /// The upstream's SETTINGS_INITIAL_WINDOW_SIZE: a new stream's send window.
    private var peerInitialWindowSize = 65_535
    private let connectionWindow: HTTP2InboundWindow
    private let streamWindow: Int
    private var sentInitialConnectionWindow = false
    let host: Host
    let stats: ClusterStats
    let worker: Int
    /// `http` for h2c, `https` over a transport socket.
    let scheme: String
    /// The cluster's `max_concurrent_streams`.
    private let localMaxStreams: Int
    /// `max_requests_per_connection`, or fewer when the pool learned the upstream's own limit.
    private var maxRequests: Int?
    /// The cluster's own `max_requests_per_connection` (for `upstream_cx_max_requests`).
    private let configuredMaxRequests: Int?
    /// SETTINGS_MAX_CONCURRENT_STREAMS from the peer (unlimited until it says otherwise).
    private var peerMaxStreams = Int.max
    /// The peer's first SETTINGS arrived: its stream limit is known, streams may be opened.
    private(set) var ready = false
    private(set) var activeStreams = 0
    private(set) var streamsOpened = 0
    /// No new streams (GOAWAY received, max requests reached, pool draining).
    private(set) var draining = false
    /// The last stream id of the upstream's GOAWAY.
    private var goAwayLastStreamID: HTTP2StreamID?
    private(set) var isOpen = true
    private var closedLocally = false
    /// The connection ended on an HTTP/2 protocol error (not a reset or a close).
    private(set) var failedWithProtocolError = false

    init(host: Host, stats: ClusterStats, worker: Int, scheme: String, maxConcurrentStreams: Int, maxRequests: Int?,
         configuredMaxRequests: Int?, connectionWindow: Int, streamWindow: Int) {
        self.connectionWindow = HTTP2InboundWindow(target: connectionWindow)
        self.streamWindow = streamWindow
        self.host = host
        self.stats = stats
        self.worker = worker
        self.scheme = scheme
        self.localMaxStreams = maxConcurrentStreams
        self.maxRequests = maxRequests
        self.configuredMaxRequests = configuredMaxRequests
        super.init()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    // The context holds this handler and this handler its context: NIO unlinks a removed
    // context from the pipeline but cannot break that cycle, so without this every closed
    // connection would stay in memory.
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Streams this connection can still open now.
    var capacity: Int {
        guard ready, !draining, isOpen else { return 0 }
        var room = min(peerMaxStreams, localMaxStreams) - activeStreams
        if let maxRequests { room = min(room, maxRequests - streamsOpened) }
        return max(0, room)
    }

    /// Opens a stream for one request; `done` gets it (nil if the stream could not be made).
    func openStream(_ done: (HTTP2UpstreamStream?) -> Void) {
        guard isOpen, context != nil else { return done(nil) }
        cancelTimer()
        activeStreams += 1
        streamsOpened += 1
        if let maxRequests, streamsOpened >= maxRequests {
            // Envoy drains a connection that reached max_requests_per_connection.
            if let configured = configuredMaxRequests, streamsOpened >= configured {
                stats.upstreamCxMaxRequests.inc(worker: worker)
            }
            draining = true
        }
        done(HTTP2UpstreamStream(connection: self, stats: stats, worker: worker, receiveWindow: streamWindow,
                                 sendWindow: peerInitialWindowSize))
    }

    /// A stream is sending its HEADERS: it takes the next id.
    func register(_ stream: HTTP2UpstreamStream) -> HTTP2StreamID {
        let id = nextStreamID
        nextStreamID = HTTP2StreamID(Int32(id) + 2)
        streams[id] = stream
        return id
    }

    func writeHeaders(_ id: HTTP2StreamID, _ fields: HPACKHeaders, endStream: Bool) {
        codec?.writeHeaders(id, fields, endStream: endStream)
    }

    func writeData(_ id: HTTP2StreamID, _ data: ByteBuffer, endStream: Bool) {
        codec?.writeData(id, data, endStream: endStream)
    }

    func writeReset(_ id: HTTP2StreamID, _ code: HTTP2ErrorCode) {
        codec?.writeReset(id, code)
    }

    func writeWindowUpdate(_ id: HTTP2StreamID, _ increment: Int) {
        codec?.writeWindowUpdate(id, increment)
    }

    /// One flush once the event loop has handled every socket ready now.
    func requestFlush() {
        guard !flushQueued, let context else { return }
        flushQueued = true
        context.eventLoop.assumeIsolatedUnsafeUnchecked().execute { [self] in
            flushQueued = false
            if isOpen { codec?.flush() }
        }
    }

    /// The pool learned that the upstream takes only `n` streams per connection.
    func lowerMaxRequests(to n: Int) {
        maxRequests = min(maxRequests ?? n, n)
        if streamsOpened >= n { draining = true }
        if draining, activeStreams == 0 { close() }
    }

    /// Whether a stream was left unprocessed by the upstream's GOAWAY (its id above the last
    /// stream id, or never sent).
    func refusedByGoAway(_ id: HTTP2StreamID?) -> Bool {
        guard let last = goAwayLastStreamID else { return false }
        guard let id else { return true }
        return id > last
    }

    /// A stream closed (or was given back unsent): its slot is free.
    func streamClosed(_ stream: HTTP2UpstreamStream) {
        if let id = stream.id { streams.removeValue(forKey: id) }
        activeStreams -= 1
        if draining, activeStreams == 0 {
            close()
            return
        }
        if activeStreams == 0, isOpen, let list = pool?.idleTimers { list.schedule(self) }
        pool?.capacityChanged()
    }

    /// No new streams; closes once the open ones are done.
    func drain() {
        draining = true
        if activeStreams == 0 { close() }
    }

    func close() {
        guard isOpen else { return }
        isOpen = false
        closedLocally = true
        cancelTimer()
        context?.close(promise: nil)
    }

    override func timerExpired() {
        guard isOpen, activeStreams == 0 else { return }
        stats.upstreamCxIdleTimeout.inc(worker: worker)
        close()
    }

    // MARK: - connection-level frames

    /// A stream's frame: the stream hears when the read is complete.
    private func received(_ input: HTTP2StreamInput, on id: HTTP2StreamID) {
        guard let stream = streams[id] else { return }
        if !stream.readThisRead {
            stream.readThisRead = true
            readStreams.append(stream)
        }
        stream.receive(input)
    }

    func http2Headers(_ id: HTTP2StreamID, _ fields: HTTP2Fields, endStream: Bool) {
        received(.headers(fields, endStream: endStream), on: id)
    }

    func http2Data(_ id: HTTP2StreamID, _ data: ByteBuffer, endStream: Bool, flowControlledLength: Int) {
        received(.data(data, endStream: endStream, flowControlledLength: flowControlledLength), on: id)
    }

    func http2Reset(_ id: HTTP2StreamID, _ code: HTTP2ErrorCode) {
        streams[id]?.resetByPeer(code)
    }

    func http2Settings(_ settings: [HTTP2Setting]) {
        for s in settings {
            if s.parameter == .maxConcurrentStreams { peerMaxStreams = s.value }
            if s.parameter == .initialWindowSize { peerInitialWindowSize = s.value }
        }
        if !sentInitialConnectionWindow {
            sentInitialConnectionWindow = true
            if let increment = connectionWindow.initialIncrement {
                writeWindowUpdate(.rootStream, increment)
                requestFlush()
            }
        }
        if !ready {
            ready = true
            if activeStreams == 0, let list = pool?.idleTimers { list.schedule(self) }
        }
        pool?.capacityChanged()
    }

    func http2GoAway(lastStreamID last: HTTP2StreamID, _ code: HTTP2ErrorCode) {
        // In-flight streams up to `last` finish; the codec closes those above it as refused.
        if goAwayLastStreamID == nil {
            stats.upstreamCxCloseNotify.inc(worker: worker)
        }
        goAwayLastStreamID = last
        draining = true
        // Streams this connection opened beyond the last one the upstream took: it closes
        // connections after a number of requests (nginx's keepalive_requests). The pool
        // opens no more than that many streams on its next connections.
        let processed = (Int(last) + 1) / 2
        if streamsOpened > processed, processed > 0 { pool?.learned(streamsPerConnection: processed) }
        pool?.capacityChanged()
        if activeStreams == 0 { close() }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        finishRead()
        context.fireChannelReadComplete()
    }

    /// Tells the streams that got frames that the read is over. Also run when the connection
    /// closes in the middle of a read (a GOAWAY's last stream done), which no read-complete
    /// follows: the list would otherwise keep its streams, and they this connection, forever.
    private func finishRead() {
        guard !readStreams.isEmpty else { return }
        // Swapped out first: a stream's delegate may start another read's worth of work.
        let read = readStreams
        readStreams.removeAll(keepingCapacity: true)
        for stream in read {
            stream.readThisRead = false
            stream.readComplete()
        }
    }

    func http2ConnectionWindowConsumed(remaining window: Int) {
        guard sentInitialConnectionWindow, isOpen, let increment = connectionWindow.increment(forRemaining: window) else { return }
        writeWindowUpdate(.rootStream, increment)
        requestFlush()
    }

    func http2SendWindowChanged(_ id: HTTP2StreamID, window: Int) {
        streams[id]?.sendWindowReported(window)
    }

    func http2StreamClosed(_ id: HTTP2StreamID, reason: HTTP2ErrorCode?) {
        streams[id]?.closed(reason: reason)
    }

    func http2InitialSendWindowChanged(by delta: Int) {
        for stream in streams.all { stream.sendBuffer.windowShifted(by: delta) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        cancelTimer()
        codec = nil
        finishRead()
        // The streams still open end with the connection (the codec says nothing of them here).
        for stream in streams.all { stream.closed(reason: nil) }
        stats.upstreamCxActive.dec(worker: worker)
        stats.upstreamCxDestroy.inc(worker: worker)
        if closedLocally {
            stats.upstreamCxDestroyLocal.inc(worker: worker)
        } else {
            stats.upstreamCxDestroyRemote.inc(worker: worker)
        }
        host.stats.cxActive.subtract(1, ordering: .relaxed)
        let p = pool
        pool = nil
        p?.connectionClosed(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let io = error as? IOError, io.errnoCode == ECONNRESET || io.errnoCode == EPIPE {
            context.close(promise: nil)
            return
        }
        stats.upstreamCxProtocolError.inc(worker: worker)
        failedWithProtocolError = true
        closedLocally = true
        context.close(promise: nil)
    }

    /// A stream's frame broke the protocol, or could not be sent (a GOAWAY came first, the
    /// stream was already closed).
    func http2StreamFailed(_ id: HTTP2StreamID, _ failure: HTTP2StreamFailure) {
        guard let stream = streams[id] else { return }
        switch failure {
        case .streamClosed(let code):
            if stream.resetReason == nil {
                stream.resetReason = code == .refusedStream ? .remoteRefusedStreamReset : .remoteReset
            }
        case .createdAfterGoAway:
            // Opened just as a GOAWAY arrived: never sent, so never processed.
            stream.resetReason = .remoteRefusedStreamReset
            stream.created = false
        case .protocolViolation:
            if stream.resetReason == nil { stream.resetReason = .protocolError }
        }
        // A stream the codec never created gets no close from it; not from inside the write.
        if !stream.created {
            context?.eventLoop.assumeIsolatedUnsafeUnchecked().execute { stream.closed(reason: nil) }
        }
    }
}
