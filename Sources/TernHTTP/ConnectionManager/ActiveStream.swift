import NIOCore
import NIOHTTP1
import TernCore
import TernNetwork

/// One request/response exchange on a downstream connection: runs the HTTP filter chain on the
/// request (decode) and, in reverse, on the response (encode), and owns the stream's timers
/// and its record for access logs. Confined to its connection's event loop.
///
/// Phases: headers arrive → request headers normalised (x-request-id, x-forwarded-*) → decoder
/// filters in order → the terminal filter (router) forwards upstream → response parts come back
/// through `encode*` → encoder filters in reverse → the codec writes them downstream.
public final class ActiveStream: TimerListNode, HTTPFilterCallbacks {
    let config: HTTPConnectionManagerConfig
    public let connection: DownstreamConnection
    /// The codec owns the stream while it runs and outlives it; weak or checked references
    /// would cost a side table or a check on every access.
    unowned(unsafe) let codec: any StreamCodec
    let filters: [any HTTPFilter]
    public let info: StreamInfo
    let workerState: HTTPWorkerState

    public var requestHead: HTTPRequestHead?
    /// The version the client spoke; the response answers in it (the router upgrades the head it
    /// forwards to HTTP/1.1).
    var downstreamVersion: HTTPVersion = .http1_1
    /// The request asked to upgrade (`connection: upgrade` with `upgrade: <type>`).
    var isUpgradeRequest = false
    var routeCache: RouteEntry??
    public var upstreamClusterOverride: String?

    // Decode iteration: filters before `decodeHeadersIndex` have seen the headers.
    var decodeHeadersIndex = 0
    var decodeStopped = false
    var pendingBody: [ByteBuffer] = []
    /// Bytes in `pendingBody` held while a decoder filter stopped iteration.
    var pendingBodyBytes = 0
    /// Reading was disabled because the held body passed the buffer limit.
    var readDisabledWhileStopped = false
    var pendingTrailers: HTTPHeaders?
    var pendingEnd = false
    var requestComplete = false

    // Encode iteration.
    var encodeStoppedAt: Int?
    var encodePendingBody: [ByteBuffer] = []
    var encodePendingEnd = false
    var encodePendingTrailers: HTTPHeaders?
    var responseHead: HTTPResponseHead?
    var responseStarted = false
    var responseComplete = false
    var destroyed = false

    /// The stream idle timeout sits in the worker's timer list for its duration; activity only
    /// moves `lastActivity`, and expiry re-schedules from there when the stream was active.
    var lastActivity: NIODeadline
    /// `request_timeout` (off by default) uses a plain event-loop timer.
    var requestTimer: NIOScheduledCallback?
    /// The route's `max_stream_duration` (ActiveStream+MaxStreamDuration): its length varies
    /// per request with `grpc-timeout`, so it is a plain event-loop timer too.
    var maxStreamDurationTimer: NIOScheduledCallback?
    public var onDownstreamWritable: (() -> Void)?

    init(config: HTTPConnectionManagerConfig, connection: DownstreamConnection, codec: any StreamCodec,
         workerState: HTTPWorkerState) {
        self.config = config
        self.workerState = workerState
        self.connection = connection
        self.codec = codec
        var fs: [any HTTPFilter] = []
        fs.reserveCapacity(config.filters.count)
        for f in config.filters { fs.append(f.makeFilter()) }
        self.filters = fs
        self.info = StreamInfo(downstream: connection, clock: workerState.clock)
        self.lastActivity = workerState.clock.now
        super.init()
    }

    public var worker: Worker { connection.worker }

    public var route: RouteEntry? {
        if let cached = routeCache { return cached }
        let r = requestHead.flatMap { config.routeConfig.route(for: $0) }
        routeCache = .some(r)
        return r
    }

    public func clearRouteCache() { routeCache = nil }

    public func setDecoderReadDisabled(_ disabled: Bool) { codec.setReadDisabled(disabled) }
    public var downstreamWritable: Bool { codec.isWritable }

    /// The downstream became writable again: lets the router resume reading its upstream.
    func downstreamBecameWritable() { onDownstreamWritable?() }

    // MARK: - timers

    /// Notes activity for the stream idle timeout (cheap: no timer is touched).
    func armIdleTimer() {
        lastActivity = workerState.clock.now
    }

    /// Starts the stream's timers when the request head arrives.
    func startTimers() {
        if let idle = config.streamIdleTimeout {
            worker.timers.list(idle).schedule(self, from: lastActivity)
        }
        if let t = config.requestTimeout {
            requestTimer = try? worker.eventLoop.assumeIsolated().scheduleCallback(in: t, handler: RequestTimer(stream: self))
        }
    }

    public override func timerExpired() {
        guard !responseComplete, !destroyed, let idle = config.streamIdleTimeout else { return }
        if workerState.clock.now >= lastActivity + idle {
            config.stats.downstreamRqIdleTimeout.inc(worker: worker.index)
            // Envoy: 408 while the request is still arriving, 504 once it was complete.
            timeoutStream(status: requestComplete ? .gatewayTimeout : .requestTimeout, body: "stream timeout",
                          details: "stream_idle_timeout", flags: .streamIdleTimeout)
        } else {
            worker.timers.list(idle).schedule(self, from: lastActivity)
        }
    }

    func onRequestTimer() {
        requestTimer = nil
        guard !requestComplete, !responseComplete, !destroyed else { return }
        config.stats.downstreamRqTimeout.inc(worker: worker.index)
        timeoutStream(status: .requestTimeout, body: "request timeout", details: "request_overall_timeout", flags: [])
    }

    func timeoutStream(status: HTTPResponseStatus, body: String, details: String, flags: ResponseFlags,
                       grpcStatus: Int? = nil) {
        for f in filters { f.onStreamReset(stream: self) }
        if responseStarted {
            resetStream(flags: flags, details: details)
        } else {
            sendLocalReply(status: status, body: body, details: details, flags: flags, headers: nil, grpcStatus: grpcStatus)
        }
    }

    /// The downstream connection closed under this stream.
    func downstreamReset() {
        guard !responseComplete, !destroyed else { return }
        info.responseFlags.insert(.downstreamConnectionTermination)
        info.connectionTerminationDetails = info.connectionTerminationDetails ?? "downstream_remote_disconnect"
        config.stats.downstreamRqRxReset.inc(worker: worker.index)
        for f in filters { f.onStreamReset(stream: self) }
        finish()
    }

    /// The response was `101 Switching Protocols` and the connection becomes a tunnel: the
    /// stream ends here for stats and logs.
    func completeForUpgrade() {
        responseComplete = true
        requestComplete = true
        finish()
    }

    /// Ends the stream: stats, access logs, filter teardown. Runs once.
    func finish() {
        guard !destroyed else { return }
        destroyed = true
        cancelTimer()
        if let requestTimer { worker.eventLoop.assumeIsolated().cancelScheduledCallback(requestTimer) }
        requestTimer = nil
        if let maxStreamDurationTimer { worker.eventLoop.assumeIsolated().cancelScheduledCallback(maxStreamDurationTimer) }
        maxStreamDurationTimer = nil
        info.finish()
        let w = worker.index
        config.stats.downstreamRqActive.dec(worker: w)
        if responseComplete {
            config.stats.downstreamRqCompleted.inc(worker: w)
            config.stats.downstreamRqCodes.record(info.responseCode, worker: w)
        }
        for log in config.accessLogs { log.log(info, worker: worker) }
        for f in filters { f.onDestroy() }
        onDownstreamWritable = nil
    }
}

/// The request timeout callback. It holds the stream until it fires or `finish()` cancels it.
struct RequestTimer: NIOScheduledCallbackHandler {
    let stream: ActiveStream
    func handleScheduledCallback(eventLoop: some EventLoop) { stream.onRequestTimer() }
}
