#if canImport(Glibc)
import Glibc
#endif
import NIOCore
internal import NIOHPACK
internal import NIOHTTP2
import TernCore
import TernHTTP2
import TernNetwork

/// The HTTP/2 (h2c, prior knowledge, or h2 over TLS) downstream connection: the delegate of
/// Tern's `HTTP2Codec`, and the handler after it. The codec keeps the protocol (framing, HPACK,
/// stream states, flow-control accounting) and hands every frame here by direct call; this
/// dispatches a stream's frames to its `HTTP2StreamCodec` (and so one `ActiveStream`), returns
/// the connection's flow-control window, flushes once per event-loop tick, and owns the
/// connection's stats, protocol errors and drain. Everything stays on the connection's event loop.
final class HTTP2ServerConnection: TimerListNode, ChannelInboundHandler, RemovableChannelHandler, HTTP2CodecDelegate {
    typealias InboundIn = ByteBuffer

    let config: HTTPConnectionManagerConfig
    let connection: DownstreamConnection
    let workerState: HTTPWorkerState
    var context: ChannelHandlerContext!
    /// The protocol engine just before this handler; frames go to it by direct call.
    var codec: HTTP2Codec!
    var closed = false
    /// The open streams by id.
    var streams = HTTP2Streams<HTTP2StreamCodec>()
    /// Streams done with this tick, kept alive until it ends.
    var retired: [HTTP2StreamCodec] = []
    /// Streams holding response frames until the tick ends.
    var holding: [HTTP2StreamCodec] = []
    var openStreams: Int { streams.count }
    /// Streams accepted, for `max_requests_per_connection`.
    var acceptedStreams = 0
    var lastStreamID = HTTP2StreamID.rootStream
    /// GOAWAY was sent: the connection closes when its last stream does.
    var draining = false
    /// The final GOAWAY is on its way; the close follows it.
    var finishing = false
    /// Tern closed the connection (drain, idle timeout, protocol error), not the client.
    var closedLocally = false
    var flushQueued = false

    /// The client's SETTINGS_INITIAL_WINDOW_SIZE: a new stream's send window.
    var peerInitialWindowSize = 65_535
    /// The connection window Tern keeps open for the client (`initial_connection_window_size`).
    let connectionWindow: HTTP2InboundWindow
    var sentInitialConnectionWindow = false

    /// Streams ended, and those ended prematurely (Envoy's rapid-reset accounting).
    var endedStreams = 0
    var prematureResets = 0

    /// False when the connection was already counted at accept (AUTO: the HTTP/1.1 codec
    /// counted it before the first bytes chose HTTP/2).
    let countsConnection: Bool

    init(config: HTTPConnectionManagerConfig, connection: DownstreamConnection, countsConnection: Bool) {
        self.config = config
        self.connection = connection
        self.countsConnection = countsConnection
        self.workerState = HTTPWorkerState.of(connection.worker)
        self.connectionWindow = HTTP2InboundWindow(target: config.http2.initialConnectionWindowSize)
        super.init()
    }

    /// Adds the HTTP/2 codec to a connection's pipeline (after the bytes that chose it, if any,
    /// were seen by the detector: the codec reads the client preface itself).
    static func addHandlers(to pipeline: ChannelPipeline.SynchronousOperations, position: ChannelPipeline.SynchronousOperations.Position,
                            config: HTTPConnectionManagerConfig, connection: DownstreamConnection,
                            countsConnection: Bool = true) throws {
        let settings = config.http2
        var codecConfig = HTTP2CodecConfiguration(role: .server)
        codecConfig.maxConcurrentStreams = settings.maxConcurrentStreams
        codecConfig.initialWindowSize = settings.initialStreamWindowSize
        codecConfig.maxHeaderListSize = config.maxRequestHeadersBytes
        Self.applyResetLimits(to: &codecConfig)
        let server = HTTP2ServerConnection(config: config, connection: connection, countsConnection: countsConnection)
        // Envoy's flood limits look at the frames on the wire, so they sit on the socket side
        // of the codec (which sees the client preface first through them).
        // Captured strongly: the cycle through the pipeline ends when the channel closes (the
        // pipeline lets go of its handlers, the server of its context). A weak reference would
        // move the server's reference count into a side table, and every retain of it (several
        // per stream) would then take the runtime's slow path.
        let flood = HTTP2FloodHandler(limits: settings.floodLimits, stats: settings.codecStats, worker: connection.worker.index) {
            _ in server.closedLocally = true
        }
        let codec = HTTP2Codec(configuration: codecConfig)
        codec.delegate = server
        codec.clock = server.workerState.clock
        server.codec = codec
        try pipeline.addHandler(flood, position: position)
        try pipeline.addHandler(codec, position: .after(flood))
        try pipeline.addHandler(server, position: .after(codec))
    }

    var worker: Int { connection.worker.index }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let s = config.stats
        if countsConnection {
            s.downstreamCxTotal.inc(worker: worker)
            s.downstreamCxActive.inc(worker: worker)
        }
        s.downstreamCxHTTP2Total.inc(worker: worker)
        s.downstreamCxHTTP2Active.inc(worker: worker)
        // Strong on purpose, as HTTP/1.1's; cleared when the channel goes.
        connection.onDrain = {
            guard !self.closed, !self.draining else { return }
            self.config.stats.downstreamCxDrainClose.inc(worker: self.worker)
            self.drain()
        }
        armIdleTimer()
    }

    /// Drain, as Envoy's graceful GOAWAY: a first GOAWAY with the highest stream ID tells the
    /// client to open no more streams without refusing any already on the way; once the streams
    /// in flight are done (or after `drain_timeout`) a final GOAWAY names the last stream
    /// accepted and the connection closes after it is written.
    func drain() {
        guard !closed, !draining else { return }
        draining = true
        cancelTimer()
        codec.writeGoAway(lastStreamID: .maxID, .noError)
        codec.flush()
        if openStreams == 0 {
            finishDrain()
            return
        }
        eventLoop.assumeIsolated().scheduleTask(in: config.drainTimeout) { [self] in self.finishDrain() }
    }

    func finishDrain() {
        guard !closed, !finishing else { return }
        finishing = true
        // Closing only once this is written: everything before it is then written too.
        let written = eventLoop.makePromise(of: Void.self)
        codec.writeGoAway(lastStreamID: lastStreamID, .noError, promise: written)
        codec.flush()
        written.futureResult.assumeIsolated().whenComplete { [self] _ in
            if !self.closed, let context = self.context {
                self.closedLocally = true
                context.close(promise: nil)
            }
        }
    }

    // The context holds this handler and this handler its context: NIO unlinks a removed
    // context from the pipeline but cannot break that cycle, so without this every closed
    // connection (and its streams' buffers) would stay in memory. Whatever runs later (a
    // timer, a write promise) finds `closed` set and no context.
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        connection.onDrain = nil
        cancelTimer()
        codec = nil
        // The streams still open end with the connection (the codec says nothing of them here).
        for stream in streams.all { stream.closed(by: self) }
        let s = config.stats
        s.downstreamCxActive.dec(worker: worker)
        s.downstreamCxHTTP2Active.dec(worker: worker)
        s.downstreamCxDestroy.inc(worker: worker)
        if closedLocally { s.downstreamCxDestroyLocal.inc(worker: worker) } else { s.downstreamCxDestroyRemote.inc(worker: worker) }
        context.fireChannelInactive()
    }

    // MARK: - frames

    func http2Headers(_ id: HTTP2StreamID, _ fields: HTTP2Fields, endStream: Bool) {
        if let stream = streams[id] {
            stream.receive(.headers(fields, endStream: endStream))
            return
        }
        // A new stream's HEADERS (the codec passes on only frames its stream states allow; a
        // frame for a stream already gone never opens another).
        guard id > lastStreamID else { return }
        openStream(id)?.receive(.headers(fields, endStream: endStream))
    }

    func http2Data(_ id: HTTP2StreamID, _ data: ByteBuffer, endStream: Bool, flowControlledLength: Int) {
        streams[id]?.receive(.data(data, endStream: endStream, flowControlledLength: flowControlledLength))
    }

    /// The client's reset closes the stream next (`http2StreamClosed`).
    func http2Reset(_ id: HTTP2StreamID, _ code: HTTP2ErrorCode) {}

    func http2GoAway(lastStreamID: HTTP2StreamID, _ code: HTTP2ErrorCode) {}

    func http2Settings(_ settings: [HTTP2Setting]) {
        for setting in settings where setting.parameter == .initialWindowSize {
            peerInitialWindowSize = setting.value
        }
        // The client's preface is in: open the connection window to the configured size
        // (every connection starts at the protocol's 65535).
        if !sentInitialConnectionWindow {
            sentInitialConnectionWindow = true
            if let increment = connectionWindow.initialIncrement {
                codec?.writeWindowUpdate(.rootStream, increment)
                requestFlush()
            }
        }
    }

    func http2StreamClosed(_ id: HTTP2StreamID, reason: HTTP2ErrorCode?) {
        streams[id]?.closed(by: self)
    }

    /// Streams the codec resets for the client's errors close next; nothing to add here.
    func http2StreamFailed(_ id: HTTP2StreamID, _ failure: HTTP2StreamFailure) {}

    func http2SendWindowChanged(_ id: HTTP2StreamID, window: Int) {
        streams[id]?.sendWindowReported(window)
    }

    func http2InitialSendWindowChanged(by delta: Int) {
        for stream in streams.all { stream.sendBuffer.windowShifted(by: delta) }
    }

    func http2ConnectionWindowConsumed(remaining window: Int) {
        returnConnectionWindow(window)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed {
            // As for HTTP/1.1: the client closing its side ends the connection.
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func returnConnectionWindow(_ window: Int) {
        guard sentInitialConnectionWindow, !closed, let increment = connectionWindow.increment(forRemaining: window) else { return }
        codec?.writeWindowUpdate(.rootStream, increment)
        requestFlush()
    }

    // MARK: - writes

    var eventLoop: any EventLoop { connection.worker.eventLoop }

    /// One flush once the event loop has handled every socket ready now, for everything the
    /// streams wrote meanwhile. Streams retired this tick are let go then too.
    func requestFlush() {
        guard !flushQueued else { return }
        flushQueued = true
        eventLoop.assumeIsolatedUnsafeUnchecked().execute { [self] in
            flushQueued = false
            if !holding.isEmpty {
                for codec in holding { codec.releaseHeld() }
                holding.removeAll(keepingCapacity: true)
            }
            retired.removeAll(keepingCapacity: true)
            if !closed { codec?.flush() }
        }
    }

    /// `codec` holds response frames until the tick ends (`requestFlush` follows).
    func holdUntilTick(_ codec: HTTP2StreamCodec) {
        holding.append(codec)
    }

    // MARK: - streams

    private func openStream(_ id: HTTP2StreamID) -> HTTP2StreamCodec? {
        lastStreamID = id
        let codec = HTTP2StreamCodec(id: id, server: self, sendWindow: peerInitialWindowSize)
        streams[id] = codec
        acceptedStreams += 1
        cancelTimer()
        // Envoy drains an HTTP/2 connection once it has accepted this many streams.
        if let max = config.maxRequestsPerConnection, acceptedStreams >= max, !draining {
            config.stats.downstreamCxMaxRequestsReached.inc(worker: worker)
            drain()
        }
        return codec
    }

    /// The stream is closed and its active stream done: it leaves the table (and memory at the
    /// end of this tick).
    func release(_ codec: HTTP2StreamCodec) {
        guard streams.removeValue(forKey: codec.id) != nil else { return }
        retired.append(codec)
        requestFlush()
        if draining {
            if openStreams == 0 { finishDrain() }
        } else if openStreams == 0 {
            armIdleTimer()
        }
    }

    // MARK: - connection idle timeout

    /// `common_http_protocol_options.idle_timeout`: while no stream is open the connection sits
    /// in the worker's timer list; on expiry it says GOAWAY and closes.
    func armIdleTimer() {
        guard let timeout = config.idleTimeout, !closed else { return }
        connection.worker.timers.list(timeout).schedule(self)
    }

    override func timerExpired() {
        guard !closed, !draining, openStreams == 0 else { return }
        config.stats.downstreamCxIdleTimeout.inc(worker: worker)
        drain()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The codec has already sent GOAWAY for a connection error (a bad preface: HTTP/1.1 sent
        // to an HTTP/2-only listener) and is closing.
        guard !closed else { return }
        // The client reset the connection (a client that exits with bytes unread sends RST):
        // a remote close, not a protocol error.
        if let io = error as? IOError, io.errnoCode == ECONNRESET || io.errnoCode == EPIPE {
            context.close(promise: nil)
            return
        }
        config.stats.downstreamCxProtocolError.inc(worker: worker)
        closedLocally = true
        context.close(promise: nil)
    }
}
