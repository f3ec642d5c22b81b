import NIOCore
import NIOHTTP1
import TernNetwork
import TernUpstream

/// Retries and request circuit breakers of the router, as Envoy's router does them:
///
/// - an attempt that fails before any response byte went downstream (connect failure, reset,
///   per-try timeout, a retriable response head) is retried when the `RetryState` says so, the
///   retry allowance is not used up (`upstream_rq_retry_limit_exceeded`, flag URX) and the
///   cluster's `max_retries` or retry budget has room (`upstream_rq_retry_overflow`, flag UO);
/// - the next attempt starts after a jittered exponential back-off on the worker's event loop,
///   on a host chosen with the failed ones in `LoadBalancerContext.previousHosts` when the
///   route has the `previous_hosts` predicate, and replays the kept request body;
/// - the body is kept only up to the connection manager's buffer limit: past it retries are
///   abandoned (`retry_or_shadow_abandoned`) and the body streams as before;
/// - each attempt that has a connection counts against `max_requests` (overflow: 503 UO,
///   `upstream_rq_pending_overflow`, `x-envoy-overloaded: true`).
extension RouterFilter {
    // MARK: - setup

    /// Reads the route's retry policy and the request's retry headers (removing them from the
    /// upstream head) once the head is prepared; adds `x-envoy-attempt-count`.
    func setUpRetries(_ action: ForwardAction, cluster: WorkerCluster, head: inout HTTPRequestHead) {
        retries.resources = cluster.config.circuitBreakers.manager(action.priority)
        if !isUpgrade, action.retryPolicy != nil || RetryState.requestMayAsk(head.headers) {
            retries.state = RetryState(policy: action.retryPolicy, headers: &head.headers)
            if retries.state != nil {
                retries.body = []
                retries.perTryTimeout = action.retryPolicy?.perTryTimeout
                retries.avoidPreviousHosts = action.retryPolicy?.avoidPreviousHosts ?? false
                retries.hostSelectionRetryMaxAttempts = action.retryPolicy?.hostSelectionRetryMaxAttempts ?? 1
            }
        }
        if action.includeAttemptCount { head.headers.replaceOrAdd(name: "x-envoy-attempt-count", value: "1") }
    }

    // MARK: - request body

    /// Keeps a body chunk for replay; false when retries are off or were just abandoned (the
    /// caller then treats the chunk as before). On abandoning between attempts, what was kept
    /// becomes the ordinary buffer, since it still has to go upstream.
    func keepForRetry(_ data: ByteBuffer) -> Bool {
        guard retries.body != nil else { return false }
        if retries.bodyBytes + data.readableBytes > stream.config.bufferLimitBytes {
            cluster?.config.circuitBreakers.stats.retryOrShadowAbandoned.inc(worker: worker)
            if upstream == nil, let kept = retries.body {
                buffered = kept
                bufferedBytes = retries.bodyBytes
            }
            retries.body = nil
            retries.bodyBytes = 0
            retries.state = nil
            return false
        }
        retries.bodyBytes += data.readableBytes
        retries.body!.append(data)
        return true
    }

    // MARK: - circuit breakers

    /// Takes a `max_requests` slot for the attempt that just got a connection.
    func takeRequestSlot() -> Bool {
        guard let r = retries.resources, !retries.holdsRequestSlot else { return true }
        guard r.requests.tryAcquire(worker: worker) else {
            cluster?.config.circuitBreakers.stats.upstreamRqPendingOverflow.inc(worker: worker)
            return false
        }
        retries.holdsRequestSlot = true
        return true
    }

    /// Frees the request and retry slots and stops the retry timers (end of the request).
    func releaseRetryResources() {
        retries.backOff?.cancel()
        retries.backOff = nil
        retries.perTryTimer?.cancelTimer()
        releaseRequestSlot()
        releaseRetrySlot()
    }

    private func releaseRequestSlot() {
        guard retries.holdsRequestSlot else { return }
        retries.holdsRequestSlot = false
        retries.resources?.requests.release(worker: worker)
    }

    private func releaseRetrySlot() {
        guard retries.holdsRetrySlot else { return }
        retries.holdsRetrySlot = false
        retries.resources?.releaseRetry(worker: worker)
    }

    // MARK: - per-try timeout

    /// Arms the per-try timeout once the attempt has its connection and the whole request.
    func startPerTryTimer() {
        guard let timeout = retries.perTryTimeout, upstream != nil, requestEnded, !done else { return }
        let timer = retries.perTryTimer ?? PerTryTimer(router: self)
        retries.perTryTimer = timer
        if !timer.isTimerScheduled { stream.worker.timers.list(timeout).schedule(timer) }
    }

    func perTryTimedOut() {
        // Once the response started downstream only the route timeout applies (as in Envoy).
        guard !done, !responseStarted, let cluster else { return }
        cluster.config.circuitBreakers.stats.upstreamRqPerTryTimeout.inc(worker: worker)
        host?.stats.rqTimeout.add(1, ordering: .relaxed)
        host?.outlier?.putResult(.localOriginTimeout)
        if retryAfterReset(.localReset) { return }
        let s = stream
        cleanUp(abortUpstream: true)
        cluster.config.stats.upstreamCodes.record(504, worker: worker)
        s.sendLocalReply(status: .gatewayTimeout, body: "upstream request timeout", details: "upstream_per_try_timeout",
                         flags: .upstreamRequestTimeout, headers: nil)
    }

    // MARK: - decisions

    /// The attempt failed without a response head; true when a retry is scheduled.
    func retryAfterReset(_ reset: RetryState.Reset) -> Bool {
        guard let state = retries.state, !responseStarted else { return false }
        return decide(wouldRetry: state.wouldRetry(reset))
    }

    /// A response head arrived; true when it is dropped for a retry.
    func retryAfterResponse(_ head: HTTPResponseHead) -> Bool {
        guard let state = retries.state else { return false }
        return decide(wouldRetry: state.wouldRetry(head))
    }

    /// Envoy's `shouldRetry`: a retry granted earlier that is now answered without need of
    /// another counts as `upstream_rq_retry_success`; its slot is given back either way.
    private func decide(wouldRetry: Bool) -> Bool {
        guard let cluster, var state = retries.state else { return false }
        let stats = cluster.config.circuitBreakers.stats
        if retries.holdsRetrySlot, !wouldRetry { stats.upstreamRqRetrySuccess.inc(worker: worker) }
        releaseRetrySlot()
        guard wouldRetry else { return false }
        guard state.consumeRetry() else {
            stats.upstreamRqRetryLimitExceeded.inc(worker: worker)
            stream.info.responseFlags.insert(.upstreamRetryLimitExceeded)
            return false
        }
        guard retries.resources?.tryAcquireRetry(worker: worker) ?? true else {
            retries.state = state
            stats.upstreamRqRetryOverflow.inc(worker: worker)
            stream.info.responseFlags.insert(.upstreamOverflow)
            return false
        }
        retries.holdsRetrySlot = true
        stats.upstreamRqRetry.inc(worker: worker)
        stats.upstreamRqRetryBackoffExponential.inc(worker: worker)
        let delay = state.nextBackOffMs(random: stream.workerState.random.generator.next())
        retries.state = state
        scheduleRetry(afterMs: delay)
        return true
    }

    /// Tern-only: an attempt the upstream never processed (a stream above an HTTP/2 GOAWAY's
    /// last stream id, or refused with REFUSED_STREAM) is sent again at once on another stream
    /// when the retry policy did not take it, as long as the request can be replayed (no body,
    /// or the whole body kept). An upstream that closes its connections after N requests (nginx's
    /// `keepalive_requests`) then causes no client errors. Envoy answers 503 here unless
    /// `retry_on` has `refused-stream` or `reset` (envoyproxy/envoy#36450).
    func replayRefusedStream() -> Bool {
        guard !done, !responseStarted, retries.refusedReplays < Self.maxRefusedReplays, let head = upstreamHead else { return false }
        let bodiless = retries.body != nil
            || (!head.headers.contains(name: "transfer-encoding")
                && (head.headers.first(name: "content-length").map { $0 == "0" } ?? true))
        guard bodiless, requestEnded || retries.body != nil else { return false }
        retries.refusedReplays += 1
        guard let host else { return false }
        let stats = cluster!.config.stats
        endAttempt()
        beginAttempt(on: host, stats: stats)
        acquireConnection(host: host)
        return true
    }

    static let maxRefusedReplays = 5

    // MARK: - next attempt

    private func scheduleRetry(afterMs delay: Int64) {
        if let host { retries.previousHosts.append(host) }
        endAttempt()
        retries.backOff = stream.worker.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(delay)) { [self] in
            retries.backOff = nil
            startNextAttempt()
        }
    }

    /// Lets go of the current attempt: its connection (closed: its response is not wanted) or
    /// its place in the pool's queue, its request slot and its active counts.
    private func endAttempt() {
        retries.perTryTimer?.cancelTimer()
        releaseRequestSlot()
        if let upstream {
            self.upstream = nil
            if upstream.delegate === self { upstream.abort() }
        } else if let pool {
            pool.cancel(self)
        }
        pool = nil
        if let cluster, host != nil {
            cluster.config.stats.upstreamRqActive.dec(worker: worker)
            host?.stats.rqActive.subtract(1, ordering: .relaxed)
        }
        host = nil
        responseStarted = false
    }

    private func startNextAttempt() {
        guard !done, let cluster, let action = forward, var head = upstreamHead else { return }
        retries.attempt += 1
        let stats = cluster.config.stats
        guard let host = chooseRetryHost(cluster) else {
            cleanUp(abortUpstream: false)
            answerNoHealthyUpstream(stats)
            return
        }
        beginAttempt(on: host, stats: stats)
        if action.includeAttemptCount {
            head.headers.replaceOrAdd(name: "x-envoy-attempt-count", value: String(retries.attempt))
            upstreamHead = head
        }
        acquireConnection(host: host)
    }

    /// The host for a retry. With `previous_hosts` a host an earlier attempt used is rejected
    /// and the choice made again, up to `host_selection_retry_max_attempts` times; then the
    /// last choice stands (Envoy's behaviour).
    private func chooseRetryHost(_ cluster: WorkerCluster) -> Host? {
        let previous = retries.avoidPreviousHosts ? retries.previousHosts : []
        // The same hash key and metadata match as the first attempt (from the forwarded head).
        var context = LoadBalancerContext()
        if let action = forward, let head = upstreamHead {
            context = action.loadBalancerContext(target: target, head: head, source: stream.info.downstreamRemoteAddress,
                                                 hashing: cluster.config.lb.policy.usesHash)
        }
        context.previousHosts = previous
        var host = cluster.chooseHost(context: context)
        var reselections = 0
        while let h = host, !previous.isEmpty, reselections < retries.hostSelectionRetryMaxAttempts,
              previous.contains(where: { $0 === h }) {
            host = cluster.chooseHost(context: context)
            reselections += 1
        }
        return host
    }

    /// Asks the pool of `host` (for the route's priority and the cluster's protocol) for a stream.
    func acquireConnection(host: Host) {
        guard let cluster else { return }
        let s = stream
        let pool = UpstreamPools.pool(cluster: cluster, host: host, priority: forward?.priority ?? .default,
                                      downstreamIsHTTP2: s.downstreamVersion.major == 2, worker: s.worker)
        self.pool = pool
        pool.acquire(self)
    }
}
