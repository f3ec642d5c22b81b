import NIOCore
import NIOHTTP1
import NIOPosix
import TernCore
import TernUpstream

/// A worker's HTTP/1.1 connections to one upstream host. Idle connections are reused
/// most-recently-used first; a request that finds none opens a new connection, as Envoy's
/// HTTP/1.1 pool does. Confined to the worker's event loop.
///
/// Circuit breakers: a request that must wait takes a pending slot of the cluster's
/// `ResourceManager` for the pool's priority (none left: `upstream_rq_pending_overflow`, the waiter
/// fails with `.overflow`); a new connection takes a connection slot (none left:
/// `upstream_cx_overflow`, and the request waits for a busy connection, except that a pool with no
/// connection at all still opens one, as Envoy's pools do).
final class HTTP1ConnectionPool: UpstreamConnectionPool, UpstreamHTTPPool {
    static let protocolKey = 1

    /// The pool key for `priority`: Envoy keeps one pool per host, protocol and priority.
    static func key(_ priority: ResourcePriority) -> Int { protocolKey + priority.rawValue << 8 }

    let host: Host
    let cluster: ClusterConfig
    let eventLoop: any EventLoop
    let worker: Int
    let priority: ResourcePriority
    private let resources: ResourceManager
    private var idle: [HTTP1UpstreamConnection] = []
    private var waiters = CircularBuffer<any UpstreamPoolWaiter>()
    private var connecting = 0
    private var open = 0
    private var draining = false

    /// The worker's timer list for this cluster's upstream idle timeout.
    private let idleTimers: TimerList?
    private let clock: LoopClock
    private let flusher: TickFlusher

    init(host: Host, cluster: ClusterConfig, eventLoop: any EventLoop, worker: Int, timers: TimerLists,
         flusher: TickFlusher, priority: ResourcePriority = .default) {
        self.flusher = flusher
        self.host = host
        self.cluster = cluster
        self.priority = priority
        self.resources = cluster.circuitBreakers.manager(priority)
        self.eventLoop = eventLoop
        self.worker = worker
        self.idleTimers = cluster.idleTimeout.map { timers.list($0) }
        self.clock = timers.clock
    }

    var connectionCount: Int { open + connecting }

    /// Hands `waiter` a connection now or when one is ready.
    func acquire(_ waiter: any UpstreamPoolWaiter) {
        while let c = idle.popLast() {
            c.cancelTimer()
            if c.isOpen {
                waiter.poolReady(c)
                return
            }
        }
        guard resources.pendingRequests.tryAcquire(worker: worker) else {
            cluster.circuitBreakers.stats.upstreamRqPendingOverflow.inc(worker: worker)
            waiter.poolFailed(.overflow)
            return
        }
        cluster.stats.upstreamRqPendingTotal.inc(worker: worker)
        cluster.stats.upstreamRqPendingActive.inc(worker: worker)
        waiters.append(waiter)
        if connecting < waiters.count { connect() }
    }

    /// A waiter leaves the queue: its pending slot is free again.
    private func dequeued() {
        cluster.stats.upstreamRqPendingActive.dec(worker: worker)
        resources.pendingRequests.release(worker: worker)
    }

    /// Withdraws a waiter that no longer needs a connection (downstream went away).
    func cancel(_ waiter: any UpstreamPoolWaiter) {
        if let i = waiters.firstIndex(where: { $0 === waiter }) {
            waiters.remove(at: i)
            dequeued()
        }
    }

    /// A connection finished its exchange and may carry the next request.
    func release(_ c: HTTP1UpstreamConnection) {
        if draining {
            c.close()
            return
        }
        if let max = cluster.maxRequestsPerConnection, c.requestsSent >= max {
            cluster.stats.upstreamCxMaxRequests.inc(worker: worker)
            c.close()
            return
        }
        if let w = waiters.popFirst() {
            dequeued()
            w.poolReady(c)
            return
        }
        idle.append(c)
        if let list = idleTimers { list.schedule(c) }
    }

    func connectionClosed(_ c: HTTP1UpstreamConnection) {
        open -= 1
        resources.connections.release(worker: worker)
        idle.removeAll { $0 === c }
        // Waiters held back by the connection limit can use the freed slot.
        if !draining, connecting < waiters.count { connect() }
    }

    func drain() {
        draining = true
        for c in idle { c.close() }
        idle.removeAll()
    }

    // MARK: - connecting

    private func connect() {
        let limits = cluster.circuitBreakers
        let hostActive = Int(host.stats.cxActive.load(ordering: .relaxed)) + connecting
        if !resources.connections.tryAcquire(worker: worker) {
            limits.stats.upstreamCxOverflow.inc(worker: worker)
            // Waiting requests still need a connection of their own pool to make progress.
            guard open + connecting == 0 else { return }
            resources.connections.forceAcquire(worker: worker)
        } else if !limits.hostAllowsConnection(priority, active: hostActive) {
            limits.stats.upstreamCxOverflow.inc(worker: worker)
            guard open + connecting == 0 else {
                resources.connections.release(worker: worker)
                return
            }
        }
        connecting += 1
        let stats = cluster.stats
        stats.upstreamCxTotal.inc(worker: worker)
        stats.upstreamCxHTTP1Total.inc(worker: worker)
        host.stats.cxTotal.add(1, ordering: .relaxed)
        let host = self.host
        let w = worker
        let clock = self.clock
        let flusher = self.flusher
        let addCodec: @Sendable (any Channel) throws -> Void = { channel in
            let sync = channel.pipeline.syncOperations
            // No codec handlers: the connection serializes requests and parses responses itself.
            try sync.addHandler(HTTP1UpstreamConnection(host: host, stats: stats, worker: w, clock: clock, flusher: flusher))
        }
        let connected = UpstreamConnector.connect(on: eventLoop, to: host, cluster: cluster, alpnFallback: ["http/1.1"],
                                                  addCodec: addCodec)
        connected.assumeIsolated().whenComplete { result in
            self.connecting -= 1
            switch result {
            case .success(let channel):
                guard let c = try? channel.pipeline.syncOperations.handler(type: HTTP1UpstreamConnection.self) else {
                    self.resources.connections.release(worker: w)
                    channel.close(promise: nil)
                    return
                }
                self.open += 1
                stats.upstreamCxActive.inc(worker: w)
                host.stats.cxActive.add(1, ordering: .relaxed)
                c.pool = self
                if self.draining {
                    c.close()
                } else {
                    self.release(c)
                }
            case .failure(let error):
                let failure = UpstreamConnector.connectFailed(error, host: host, stats: stats, worker: w)
                self.resources.connections.release(worker: w)
                if let waiter = self.waiters.popFirst() {
                    self.dequeued()
                    waiter.poolFailed(failure)
                }
            }
        }
    }
}
