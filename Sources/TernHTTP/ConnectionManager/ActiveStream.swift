import NIOCore
import NIOHTTP1
import TernNetwork

/// One request/response exchange on a downstream connection: runs the HTTP filter chain on the
/// request (decode) and, in reverse, on the response (encode), and owns the stream's timers
/// and its record for access logs. Confined to its connection's event loop.
///
/// Phases: headers arrive → request headers normalised (x-request-id, x-forwarded-*) → decoder
/// filters in order → the terminal filter (router) forwards upstream → response parts come back
/// through `encode*` → encoder filters in reverse → the codec writes them downstream.
public final class ActiveStream: HTTPFilterCallbacks {
    let config: HTTPConnectionManagerConfig
    public let connection: DownstreamConnection
    unowned let codec: any StreamCodec
    let filters: [any HTTPFilter]
    public let info: StreamInfo

    public var requestHead: HTTPRequestHead?
    var routeCache: RouteEntry??

    // Decode iteration: filters before `decodeHeadersIndex` have seen the headers.
    var decodeHeadersIndex = 0
    var decodeStopped = false
    var pendingBody: [ByteBuffer] = []
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

    var idleTimer: Scheduled<Void>?
    var requestTimer: Scheduled<Void>?
    public var onDownstreamWritable: (() -> Void)?

    init(config: HTTPConnectionManagerConfig, connection: DownstreamConnection, codec: any StreamCodec) {
        self.config = config
        self.connection = connection
        self.codec = codec
        var fs: [any HTTPFilter] = []
        fs.reserveCapacity(config.filters.count)
        for f in config.filters { fs.append(f.makeFilter()) }
        self.filters = fs
        self.info = StreamInfo(downstream: connection)
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

    func armIdleTimer() {
        guard let timeout = config.streamIdleTimeout, !responseComplete else { return }
        idleTimer?.cancel()
        idleTimer = worker.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            // Strong capture: finish() cancels the task, which releases the stream.
            guard !self.responseComplete, !self.destroyed else { return }
            self.config.stats.downstreamRqIdleTimeout.inc(worker: self.worker.index)
            self.timeoutStream(status: .requestTimeout, body: "stream timeout", details: "stream_idle_timeout", flags: .streamIdleTimeout)
        }
    }

    func armRequestTimer() {
        guard let timeout = config.requestTimeout else { return }
        requestTimer = worker.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            guard !self.requestComplete, !self.responseComplete, !self.destroyed else { return }
            self.config.stats.downstreamRqTimeout.inc(worker: self.worker.index)
            self.timeoutStream(status: .requestTimeout, body: "request timeout", details: "request_overall_timeout", flags: [])
        }
    }

    private func timeoutStream(status: HTTPResponseStatus, body: String, details: String, flags: ResponseFlags) {
        for f in filters { f.onStreamReset(stream: self) }
        if responseStarted {
            resetStream(flags: flags, details: details)
        } else {
            sendLocalReply(status: status, body: body, details: details, flags: flags, headers: nil)
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
        idleTimer?.cancel()
        requestTimer?.cancel()
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
