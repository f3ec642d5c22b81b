#if canImport(Glibc)
import Glibc
#endif
import NIOCore
internal import NIOHTTP2
import TernCore
import TernNetwork

/// The HTTP/2 (h2c, prior knowledge) downstream connection: NIOHTTP2's connection handler and
/// stream multiplexer, one `HTTP2StreamCodec` (and so one `ActiveStream`) per stream, and this
/// handler after them for the connection's stats, protocol errors and drain. The streams live in
/// child channels on the connection's event loop, so everything stays on one worker.
final class HTTP2ServerConnection: TimerListNode, ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Never
    typealias OutboundOut = HTTP2Frame

    let config: HTTPConnectionManagerConfig
    let connection: DownstreamConnection
    var context: ChannelHandlerContext!
    var closed = false
    var openStreams = 0
    /// Streams accepted, for `max_requests_per_connection`.
    var streams = 0
    var lastStreamID = HTTP2StreamID.rootStream
    /// GOAWAY was sent: the connection closes when its last stream does.
    var draining = false
    /// The final GOAWAY is on its way; the close follows it.
    var finishing = false
    /// Tern closed the connection (drain, idle timeout, protocol error), not the client.
    var closedLocally = false

    /// The connection's flood limits, which count the frames streams write.
    var flood: HTTP2FloodHandler?
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
        super.init()
    }

    /// Adds the HTTP/2 codec to a connection's pipeline (after the bytes that chose it, if any,
    /// were seen by the detector: NIOHTTP2 reads the client preface itself).
    static func addHandlers(to pipeline: ChannelPipeline.SynchronousOperations, position: ChannelPipeline.SynchronousOperations.Position,
                            config: HTTPConnectionManagerConfig, connection: DownstreamConnection,
                            countsConnection: Bool = true) throws {
        let settings = config.http2
        var connectionConfig = NIOHTTP2Handler.ConnectionConfiguration()
        connectionConfig.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: settings.maxConcurrentStreams),
            HTTP2Setting(parameter: .initialWindowSize, value: settings.initialStreamWindowSize),
            HTTP2Setting(parameter: .maxHeaderListSize, value: config.maxRequestHeadersBytes),
        ]
        // The connection window grows from the protocol's 65535 to this with a WINDOW_UPDATE.
        connectionConfig.targetWindowSize = settings.initialConnectionWindowSize
        Self.applyFloodLimits(settings.floodLimits, to: &connectionConfig)
        var streamConfig = NIOHTTP2Handler.StreamConfiguration()
        streamConfig.targetWindowSize = settings.initialStreamWindowSize
        Self.applyResetLimits(to: &streamConfig)
        let workerState = connection.worker.state(HTTPWorkerState.self) { HTTPWorkerState() }
        // The initializer runs on this connection's event loop, which owns both.
        let server = HTTP2ServerConnection(config: config, connection: connection, countsConnection: countsConnection)
        let loopBound = NIOLoopBound((connection, workerState, server), eventLoop: pipeline.eventLoop)
        // Envoy's flood limits look at the frames on the wire, so they sit on the socket side
        // of NIOHTTP2 (which sees the client preface first through them).
        let flood = HTTP2FloodHandler(limits: settings.floodLimits, stats: settings.codecStats, worker: connection.worker.index) {
            [weak server] _ in server?.closedLocally = true
        }
        server.flood = flood
        let handler = NIOHTTP2Handler(
            mode: .server, eventLoop: pipeline.eventLoop, connectionConfiguration: connectionConfig,
            streamConfiguration: streamConfig,
            streamDelegate: StreamTracker(server: server)
        ) { streamChannel in
            // Stream channels are made on the connection's event loop.
            do {
                try streamChannel.pipeline.syncOperations.addHandler(
                    HTTP2StreamCodec(config: config, connection: loopBound.value.0, workerState: loopBound.value.1,
                                     server: loopBound.value.2))
                return streamChannel.eventLoop.makeSucceededVoidFuture()
            } catch {
                return streamChannel.eventLoop.makeFailedFuture(error)
            }
        }
        let coalescer = CoalescingFlushHandler()
        try pipeline.addHandler(flood, position: position)
        try pipeline.addHandler(coalescer, position: .after(flood))
        try pipeline.addHandler(handler, position: .after(coalescer))
        try pipeline.addHandler(server, position: .after(handler))
    }

    var worker: Int { connection.worker.index }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // NIOHTTP2's stream delegate refers to this handler without retaining it (the delegate is
        // copied many times per frame); this keeps the handler alive until the pipeline is gone.
        let loop = context.eventLoop
        context.channel.closeFuture.assumeIsolated().whenComplete { _ in
            loop.assumeIsolated().execute { withExtendedLifetime(self) {} }
        }
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
        context.writeAndFlush(wrapOutboundOut(Self.goAway(.maxID)), promise: nil)
        if openStreams == 0 {
            finishDrain()
            return
        }
        context.eventLoop.assumeIsolated().scheduleTask(in: config.drainTimeout) { [self] in self.finishDrain() }
    }

    func finishDrain() {
        guard !closed, !finishing else { return }
        finishing = true
        // Closing only once this is written: everything before it is then written too.
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(Self.goAway(lastStreamID)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { [self] _ in
            if !self.closed {
                self.closedLocally = true
                self.context.close(promise: nil)
            }
        }
    }

    static func goAway(_ last: HTTP2StreamID) -> HTTP2Frame {
        HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: last, errorCode: .noError, opaqueData: nil))
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        connection.onDrain = nil
        cancelTimer()
        let s = config.stats
        s.downstreamCxActive.dec(worker: worker)
        s.downstreamCxHTTP2Active.dec(worker: worker)
        s.downstreamCxDestroy.inc(worker: worker)
        if closedLocally { s.downstreamCxDestroyLocal.inc(worker: worker) } else { s.downstreamCxDestroyRemote.inc(worker: worker) }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // As for HTTP/1.1: the client closing its side ends the connection.
        if let e = event as? ChannelEvent, e == .inputClosed {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: - streams (from NIOHTTP2's stream delegate, on this event loop)

    func streamCreated(_ id: HTTP2StreamID) {
        openStreams += 1
        streams += 1
        if id > lastStreamID { lastStreamID = id }
        cancelTimer()
        // Envoy drains an HTTP/2 connection once it has accepted this many streams.
        if let max = config.maxRequestsPerConnection, streams >= max, !draining {
            config.stats.downstreamCxMaxRequestsReached.inc(worker: worker)
            drain()
        }
    }

    func streamClosed() {
        openStreams -= 1
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
        // NIOHTTP2 has already sent GOAWAY for a connection error (a bad preface: HTTP/1.1 sent
        // to an HTTP/2-only listener); stream errors only reset their stream.
        if error is NIOHTTP2Errors.StreamError { return }
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

/// Tells the connection when streams open and close, so a drain knows the last stream it
/// accepted and when the last one is done. NIOHTTP2 calls it on the connection's event loop.
/// NIOHTTP2 copies its delegate with its state on every frame, so this holds a plain unretained
/// reference: copies cost nothing, and the handler keeps itself alive until its channel is
/// closed and its pipeline torn down (see `handlerAdded`).
struct StreamTracker: NIOHTTP2StreamDelegate, @unchecked Sendable {
    unowned(unsafe) let server: HTTP2ServerConnection

    func streamCreated(_ id: HTTP2StreamID, channel: any Channel) { server.streamCreated(id) }
    func streamClosed(_ id: HTTP2StreamID, channel: any Channel) { server.streamClosed() }
}
