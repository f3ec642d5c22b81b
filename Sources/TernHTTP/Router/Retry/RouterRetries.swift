import NIOCore
import NIOHTTP1
import TernCore
import TernUpstream

/// The router's per-request retry and circuit-breaker bookkeeping, kept in one stored property
/// of `RouterFilter` (see `RouterFilter+Retry`). Empty and allocation-free for a request whose
/// route has no retry policy.
struct RouterRetries {
    /// Nil when neither the route nor the request asks for retries, or once they are abandoned.
    var state: RetryState?
    /// The request body kept for replay while a retry is possible. The chunks share storage with
    /// what was written upstream (ByteBuffer is copy-on-write), so keeping them copies nothing.
    var body: [ByteBuffer]?
    var bodyBytes = 0
    var trailers: HTTPHeaders?
    /// 1 for the first attempt (`x-envoy-attempt-count`).
    var attempt = 1
    /// Hosts of failed attempts, for `previous_hosts`.
    var previousHosts: [Host] = []
    /// The back-off before the next attempt, while it runs.
    var backOff: Scheduled<Void>?
    var perTryTimer: PerTryTimer?
    /// The route's `per_try_timeout` (kept even when retries are abandoned).
    var perTryTimeout: TimeAmount?
    var avoidPreviousHosts = false
    var hostSelectionRetryMaxAttempts = 1
    /// The circuit breakers of the cluster and route priority.
    var resources: ResourceManager?
    /// This attempt counts against `max_requests`.
    var holdsRequestSlot = false
    /// A retry was granted and counts against `max_retries` until the next retry decision.
    var holdsRetrySlot = false
    /// Attempts sent again because the upstream refused them unprocessed (HTTP/2 GOAWAY or
    /// REFUSED_STREAM) without a retry policy asking for it.
    var refusedReplays = 0
}

/// Fires the per-try timeout of the router's current attempt.
final class PerTryTimer: TimerListNode {
    unowned(unsafe) let router: RouterFilter

    init(router: RouterFilter) {
        self.router = router
        super.init()
    }

    override func timerExpired() { router.perTryTimedOut() }
}
