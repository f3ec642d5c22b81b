import NIOCore
import NIOHTTP1
import TernCore
import TernNetwork
import TernUpstream

/// The router for one stream: picks the route's cluster and a host, takes a pooled upstream
/// connection on this worker, forwards the request (body streamed, with backpressure both ways)
/// and relays the response. Failures become Envoy's local replies: 404 NR, 503 NC/UH/UF/UC,
/// 504 UT.
final class RouterFilter: TimerListNode, HTTPFilter {
    let suppressEnvoyHeaders: Bool
    /// The stream owns this filter and outlives it; every path that could call back later
    /// (pool, upstream connection, timer) is unhooked in `cleanUp`, so no retain is needed.
    /// Unmanaged rather than an `unowned(unsafe)` optional, which the compiler copies into a
    /// strong reference on every read: a retain and a release per access, and per object
    /// reached through it.
    private var streamRef: Unmanaged<ActiveStream>?
    /// Set once the router has seen the request headers.
    var hasStream: Bool { streamRef != nil }
    /// Traps before the request headers, as the implicitly unwrapped reference did.
    var stream: ActiveStream { streamRef!.takeUnretainedValue() }
    /// The stream lent to `body` with no reference counting at all, for the per-request paths:
    /// even through `stream`, each call into it costs a retain and a release. Only for work that
    /// cannot end the stream (no encoding, no reset, no write): nothing holds it meanwhile.
    @inline(__always)
    func withStream<R>(_ body: (ActiveStream) -> R) -> R {
        streamRef!._withUnsafeGuaranteedRef(body)
    }
    var forward: ForwardAction?
    var target: WeightedTarget?
    var cluster: WorkerCluster?
    var host: Host?
    var pool: (any UpstreamHTTPPool)?
    var upstream: (any UpstreamRequestStream)?
    var upstreamHead: HTTPRequestHead?
    var buffered: [ByteBuffer] = []
    var bufferedBytes = 0
    var bufferedTrailers: HTTPHeaders?
    var requestEnded = false
    var responseStarted = false
    var done = false
    var startUptime: UInt64 = 0
    var downstreamReadsDisabled = false
    var isUpgrade = false
    /// Retries and request circuit breakers (RouterFilter+Retry).
    var retries = RouterRetries()
    /// Request mirroring: this request's shadows (RouterFilter+Mirror); nil until forwarding starts.
    var shadows: [ShadowRequest]?
    /// The route timeout came from the request's grpc-timeout (RouterFilter+GRPCTimeout): any
    /// length, so it runs on an event-loop timer rather than a per-duration timer list.
    var timeoutFromGRPCHeader = false
    var grpcRouteTimer: NIOScheduledCallback?

    init(suppressEnvoyHeaders: Bool) {
        self.suppressEnvoyHeaders = suppressEnvoyHeaders
        super.init()
    }

    /// The worker's stat slot, taken from the stream once: reading it through the stream
    /// retains and releases every object on the way, several times per request.
    private(set) var worker = 0

    // MARK: - decode

    func decodeHeaders(_ head: inout HTTPRequestHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus {
        let stream = stream as! ActiveStream
        streamRef = .passUnretained(stream)
        worker = stream.worker.index
        let hcm = stream.config.stats
        hcm.rqTotal.inc(worker: worker)
        guard let route = stream.route else {
            hcm.noRoute.inc(worker: worker)
            stream.sendLocalReply(status: .notFound, body: "", details: "route_not_found", flags: .noRouteFound, headers: nil)
            return .stopIteration
        }
        stream.info.routeName = route.name.isEmpty ? nil : route.name
        switch route.action {
        case .directResponse(let status, let body):
            hcm.rqDirectResponse.inc(worker: worker)
            var headers = HTTPHeaders()
            for m in route.responseMutations { m.apply(to: &headers, stream: stream.info) }
            stream.sendLocalReply(status: HTTPResponseStatus(statusCode: status), body: body, details: "direct_response",
                                  flags: [], headers: headers)
        case .redirect(let redirect):
            // Envoy counts a redirect answered by the route as a direct response.
            hcm.rqDirectResponse.inc(worker: worker)
            var headers = HTTPHeaders()
            headers.add(name: "location", value: RedirectLocation.build(redirect, route: route, head: head))
            for m in route.responseMutations { m.apply(to: &headers, stream: stream.info) }
            stream.sendLocalReply(status: HTTPResponseStatus(statusCode: redirect.status), body: "", details: "direct_response",
                                  flags: [], headers: headers)
        case .forward(let action):
            if stream.isUpgradeRequest, let upgrade = head.headers.first(name: "upgrade")?.lowercased() {
                let allowed = action.upgrades[upgrade] ?? stream.config.upgradeTypes.contains(upgrade)
                guard allowed else {
                    hcm.downstreamRqWsOnNonWsRoute.inc(worker: worker)
                    stream.sendLocalReply(status: .forbidden, body: "", details: "upgrade_failed", flags: [], headers: nil)
                    return .stopIteration
                }
                isUpgrade = true
            }
            // A gRPC request's route timeout may come from its grpc-timeout (max_grpc_timeout).
            // A trusted client's x-envoy-upstream-rq-timeout-ms replaces the route timeout.
            let forwarded = applyingHeaderTimeout(applyingGRPCRouteTimeout(action, head: &head), head: &head)
            forward = forwarded
            if endStream { requestEnded = true }
            startForwarding(forwarded, route: route, head: &head, stats: hcm)
            if endStream { startTimer() }
        }
        return .stopIteration
    }

    func decodeData(_ data: inout ByteBuffer, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterDataStatus {
        guard !done else { return .stopIterationNoBuffer }
        mirrorData(data, endStream: endStream)  // mirror each body chunk
        // While a retry is possible the chunk is also kept for replay (no copy: shared storage).
        let kept = data.readableBytes > 0 && keepForRetry(data)
        if let upstream {
            if data.readableBytes > 0 { upstream.sendBody(data) }
            if endStream { endRequest(nil, on: upstream) }
        } else {
            if data.readableBytes > 0, !kept {
                buffered.append(data)
                bufferedBytes += data.readableBytes
                let limit = self.stream.config.bufferLimitBytes
                if bufferedBytes > limit, !downstreamReadsDisabled {
                    downstreamReadsDisabled = true
                    stream.setDecoderReadDisabled(true)
                }
            }
            if endStream { requestEnded = true; startTimer() }
        }
        return .stopIterationNoBuffer
    }

    func decodeTrailers(_ trailers: inout HTTPHeaders, stream: any HTTPFilterCallbacks) -> FilterTrailersStatus {
        guard !done else { return .stopIteration }
        mirrorTrailers(trailers)  // mirror trailers (request end)
        if retries.body != nil { retries.trailers = trailers }
        if let upstream {
            endRequest(trailers, on: upstream)
        } else {
            bufferedTrailers = trailers
            requestEnded = true
            startTimer()
        }
        return .stopIteration
    }

    private func endRequest(_ trailers: HTTPHeaders?, on upstream: any UpstreamRequestStream) {
        requestEnded = true
        upstream.sendEnd(trailers)
        startTimer()
        startPerTryTimer()
    }

    // MARK: - teardown

    func onStreamReset(stream: any HTTPFilterCallbacks) {
        cancelIncompleteShadows()  // mirror: the request will not complete
        cleanUp(abortUpstream: true)
    }

    func onDestroy() {
        cancelIncompleteShadows()  // mirror: the request will not complete
        cleanUp(abortUpstream: true)
    }

    func cleanUp(abortUpstream: Bool) {
        guard !done else { return }
        done = true
        // A request refused before the filters ran never reached the router.
        guard hasStream else { return }
        cancelTimer()
        cancelGRPCRouteTimer()
        releaseRetryResources()
        if let upstream {
            self.upstream = nil
            if abortUpstream, upstream.delegate === self { upstream.abort() }
        } else if let pool, forward != nil {
            pool.cancel(self)
        }
        if let cluster, let host {
            cluster.config.stats.upstreamRqActive.dec(worker: worker)
            host.stats.rqActive.subtract(1, ordering: .relaxed)
        }
        withStream { $0.onDownstreamWritable = nil }
    }

    // MARK: - timeout

    private func startTimer() {
        guard !isTimerScheduled, grpcRouteTimer == nil, !done, let timeout = forward?.timeout else { return }
        if timeoutFromGRPCHeader { return startGRPCRouteTimer(timeout) }
        withStream { $0.worker.timers.list(timeout).schedule(self) }
    }

    override func timerExpired() {
        guard !done, let cluster else { return }
        cluster.config.stats.upstreamRqTimeout.inc(worker: worker)
        host?.stats.rqTimeout.add(1, ordering: .relaxed)
        host?.outlier?.putResult(.localOriginTimeout)
        let started = responseStarted
        let s = stream
        cleanUp(abortUpstream: true)
        if started {
            s.resetStream(flags: .upstreamRequestTimeout, details: "upstream_response_timeout")
        } else {
            cluster.config.stats.upstreamCodes.record(504, worker: worker)
            s.sendLocalReply(status: .gatewayTimeout, body: "upstream request timeout", details: "upstream_response_timeout",
                             flags: .upstreamRequestTimeout, headers: nil)
        }
    }
}

