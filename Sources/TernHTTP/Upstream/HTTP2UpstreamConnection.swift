#if canImport(Glibc)
import Glibc
#endif
import NIOCore
internal import NIOHTTP2
import TernCore
import TernUpstream

/// One HTTP/2 connection to an upstream host: the handler after NIOHTTP2's connection handler
/// in the parent pipeline. It sees the connection-level frames (SETTINGS for the peer's
/// SETTINGS_MAX_CONCURRENT_STREAMS, GOAWAY), counts the streams open on it for its pool, and
/// closes the connection once it is draining and its last stream is done. Confined to the
/// worker's event loop.
final class HTTP2UpstreamConnection: TimerListNode, ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    /// Strong until the connection closes (the pool holds the connection too).
    var pool: HTTP2ConnectionPool?
    private var context: ChannelHandlerContext?
    private var multiplexer: NIOHTTP2Handler.StreamMultiplexer?
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
         configuredMaxRequests: Int?) {
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
        multiplexer = try? context.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self).syncMultiplexer()
    }

    /// Streams this connection can still open now.
    var capacity: Int {
        guard ready, !draining, isOpen else { return 0 }
        var room = min(peerMaxStreams, localMaxStreams) - activeStreams
        if let maxRequests { room = min(room, maxRequests - streamsOpened) }
        return max(0, room)
    }

    /// Opens a stream for one request; `done` gets it (nil if the stream could not be made).
    func openStream(_ done: @escaping (HTTP2UpstreamStream?) -> Void) {
        guard let multiplexer, let context else { return done(nil) }
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
        let stream = HTTP2UpstreamStream(connection: self, stats: stats, worker: worker)
        let promise = context.eventLoop.makePromise(of: (any Channel).self)
        // Stream channels are made on the connection's event loop, which owns the handler.
        let bound = NIOLoopBound(stream, eventLoop: context.eventLoop)
        multiplexer.createStreamChannel(promise: promise) { child in
            child.eventLoop.makeCompletedFuture { try child.pipeline.syncOperations.addHandler(bound.value) }
        }
        promise.futureResult.assumeIsolated().whenComplete { result in
            switch result {
            case .success: done(stream)
            case .failure:
                // The connection takes no new streams (a GOAWAY on its way, closing).
                self.draining = true
                // A stream whose handler never ran has no channelInactive to give its slot back.
                if !stream.isAttached { self.streamClosed() }
                done(nil)
            }
        }
    }

    /// The pool learned that the upstream takes only `n` streams per connection.
    func lowerMaxRequests(to n: Int) {
        maxRequests = min(maxRequests ?? n, n)
        if streamsOpened >= n { draining = true }
        if draining, activeStreams == 0 { close() }
    }

    /// Whether `channel`'s stream was left unprocessed by the upstream's GOAWAY (its id above
    /// the last stream id, or never sent).
    func refusedByGoAway(_ channel: any Channel) -> Bool {
        guard let last = goAwayLastStreamID else { return false }
        guard let id = try? channel.syncOptions?.getOption(HTTP2StreamChannelOptions.streamID) else { return true }
        return id > last
    }

    /// A stream's channel closed.
    func streamClosed() {
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

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.payload {
        case .settings(.settings(let settings)):
            for s in settings where s.parameter == .maxConcurrentStreams { peerMaxStreams = s.value }
            if !ready {
                ready = true
                if activeStreams == 0, let list = pool?.idleTimers { list.schedule(self) }
            }
            pool?.capacityChanged()
        case .goAway(let last, _, _):
            // In-flight streams up to `last` finish; NIOHTTP2 closes those above it as refused.
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
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        cancelTimer()
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
        // Stream errors only reset their stream; anything else ends the connection.
        if error is NIOHTTP2Errors.StreamError { return }
        if let io = error as? IOError, io.errnoCode == ECONNRESET || io.errnoCode == EPIPE {
            context.close(promise: nil)
            return
        }
        stats.upstreamCxProtocolError.inc(worker: worker)
        failedWithProtocolError = true
        closedLocally = true
        context.close(promise: nil)
    }
}
