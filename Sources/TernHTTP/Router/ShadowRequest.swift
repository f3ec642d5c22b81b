import NIOCore
import NIOHTTP1
import TernCore
import TernUpstream

/// One mirrored copy of a request (Envoy's shadow), fire and forget: it takes a connection from
/// the shadow cluster's per-worker pool like any request, gets the request's head, body chunks and
/// trailers as the router forwards them, and reads and discards the answer. Nothing it does
/// reaches the downstream: it never pauses the client's reads and never delays the response. If
/// the shadow cannot keep up (more than the buffer limit waiting for its socket), it is abandoned
/// instead. Confined to the worker's event loop.
///
/// Ownership: the router filter holds it until the request is complete; then the pool (while it
/// waits for a connection) or the connection (as its delegate) keeps it alive until it finishes.
final class ShadowRequest: TimerListNode {
    private let cluster: WorkerCluster
    private let host: Host
    private let pool: any UpstreamHTTPPool
    private let worker: Int
    private let timers: TimerLists
    private let timeout: TimeAmount?
    /// Bytes the shadow may hold back (before it has a connection, or while its socket is not
    /// writable) before it is abandoned.
    private let limit: Int
    /// Charged when the shadow is abandoned (Envoy charges the primary cluster).
    private let onAbandon: () -> Void
    private var head: HTTPRequestHead
    private var connection: (any UpstreamRequestStream)?
    private var pendingBody: [ByteBuffer] = []
    private var pendingTrailers: HTTPHeaders?
    private var heldBytes = 0
    private var responseStarted = false
    /// A slot of the shadow cluster's `max_requests` circuit breaker, held while the request runs.
    private var holdsRequestSlot = false
    /// The whole request was handed over (or queued) to the shadow.
    private(set) var requestEnded = false
    private(set) var finished = false

    init(head: HTTPRequestHead, cluster: WorkerCluster, host: Host, pool: any UpstreamHTTPPool, worker: Int,
         timers: TimerLists, timeout: TimeAmount?, limit: Int, onAbandon: @escaping () -> Void) {
        self.head = head
        self.cluster = cluster
        self.host = host
        self.pool = pool
        self.worker = worker
        self.timers = timers
        self.timeout = timeout
        self.limit = limit
        self.onAbandon = onAbandon
        super.init()
    }

    deinit {
        // A pool that was drained drops its waiters: account for the request all the same.
        finish()
    }

    /// Counts the request on the shadow cluster (the same stats as any request) and asks the pool.
    func start() {
        let stats = cluster.config.stats
        stats.upstreamRqTotal.inc(worker: worker)
        stats.upstreamRqActive.inc(worker: worker)
        host.stats.rqTotal.add(1, ordering: .relaxed)
        host.stats.rqActive.add(1, ordering: .relaxed)
        pool.acquire(self)
    }

    // MARK: - the request, as the router forwards it

    func sendBody(_ data: ByteBuffer) {
        guard !finished, !requestEnded, data.readableBytes > 0 else { return }
        if let connection {
            connection.sendBody(data)
            // Bytes written while the socket is full queue in the channel: bounded by `limit`.
            if !connection.isWritable { hold(data.readableBytes) }
        } else {
            pendingBody.append(data)
            hold(data.readableBytes)
        }
    }

    func sendEnd(_ trailers: HTTPHeaders?) {
        guard !finished, !requestEnded else { return }
        requestEnded = true
        if let connection {
            connection.sendEnd(trailers)
        } else {
            pendingTrailers = trailers
        }
        // As for the primary request, the route timeout runs from the end of the request.
        if let timeout, !finished { timers.list(timeout).schedule(self) }
    }

    /// The downstream request will never complete (reset, or the stream ended first): a shadow
    /// still waiting for more of it is given up; a complete one carries on by itself.
    func cancelIfIncomplete() {
        guard !finished, !requestEnded else { return }
        abort()
    }

    private func hold(_ bytes: Int) {
        heldBytes += bytes
        guard heldBytes > limit else { return }
        // Never backpressure the primary request for a shadow: drop the shadow instead.
        onAbandon()
        abort()
    }

    private func abort() {
        if let connection {
            self.connection = nil
            cluster.config.stats.upstreamRqTxReset.inc(worker: worker)
            if connection.delegate === self { connection.abort() }
        } else {
            pool.cancel(self)
        }
        finish()
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        cancelTimer()
        pendingBody.removeAll()
        pendingTrailers = nil
        cluster.config.stats.upstreamRqActive.dec(worker: worker)
        host.stats.rqActive.subtract(1, ordering: .relaxed)
        if holdsRequestSlot {
            holdsRequestSlot = false
            cluster.config.circuitBreakers.manager(.default).requests.release(worker: worker)
        }
    }

    override func timerExpired() {
        guard !finished else { return }
        cluster.config.stats.upstreamRqTimeout.inc(worker: worker)
        host.stats.rqTimeout.add(1, ordering: .relaxed)
        if !responseStarted { cluster.config.stats.upstreamCodes.record(504, worker: worker) }
        if let connection {
            self.connection = nil
            if connection.delegate === self { connection.abort() }
        } else {
            pool.cancel(self)
        }
        finish()
    }
}

// MARK: - connection pool

extension ShadowRequest: UpstreamPoolWaiter {
    func poolReady(_ connection: any UpstreamRequestStream) {
        guard !finished else {
            connection.giveBack()
            return
        }
        // The shadow is a request of its cluster like any other, circuit breakers included.
        let breakers = cluster.config.circuitBreakers
        guard breakers.manager(.default).requests.tryAcquire(worker: worker) else {
            breakers.stats.upstreamRqPendingOverflow.inc(worker: worker)
            connection.giveBack()
            cluster.config.stats.upstreamCodes.record(503, worker: worker)
            finish()
            return
        }
        holdsRequestSlot = true
        self.connection = connection
        connection.delegate = self
        if requestEnded, pendingBody.isEmpty, pendingTrailers == nil {
            connection.sendHead(head, endStream: true)
            return
        }
        connection.sendHead(head, endStream: false)
        for chunk in pendingBody { connection.sendBody(chunk) }
        pendingBody.removeAll()
        heldBytes = 0
        if requestEnded {
            connection.sendEnd(pendingTrailers)
            pendingTrailers = nil
        } else {
            connection.flush()
        }
    }

    func poolFailed(_ failure: PoolFailure) {
        guard !finished else { return }
        cluster.config.stats.upstreamCodes.record(503, worker: worker)
        host.stats.rqError.add(1, ordering: .relaxed)
        finish()
    }
}

// MARK: - the shadow's response: counted, then dropped

extension ShadowRequest: UpstreamResponseDelegate {
    func upstreamResponseHead(_ head: consuming HTTPResponseHead, endStream: Bool) {
        guard !finished else { return }
        defer { if endStream { upstreamResponseEnd(nil) } }
        responseStarted = true
        let code = Int(head.status.code)
        cluster.config.stats.upstreamCodes.record(code, worker: worker)
        if code >= 500 {
            host.stats.rqError.add(1, ordering: .relaxed)
        } else {
            host.stats.rqSuccess.add(1, ordering: .relaxed)
        }
    }

    func upstreamResponseBody(_ body: ByteBuffer) {}

    func upstreamResponseEnd(_ trailers: HTTPHeaders?) {
        guard !finished else { return }
        cluster.config.stats.upstreamRqCompleted.inc(worker: worker)
        // The connection goes back to the pool by itself (or closes, if the answer came early).
        connection = nil
        finish()
    }

    func upstreamReset(_ reason: UpstreamResetReason) {
        guard !finished else { return }
        connection = nil
        cluster.config.stats.upstreamRqRxReset.inc(worker: worker)
        host.stats.rqError.add(1, ordering: .relaxed)
        if !responseStarted { cluster.config.stats.upstreamCodes.record(503, worker: worker) }
        finish()
    }

    func upstreamWritabilityChanged(_ writable: Bool) {
        // The socket drained: what was held back is on its way.
        if writable { heldBytes = 0 }
    }

    func upstreamUpgraded(_ connection: HTTP1UpstreamConnection) {
        // Upgrades are never mirrored; a 101 nobody asked for ends the shadow.
        connection.close()
        self.connection = nil
        finish()
    }
}
