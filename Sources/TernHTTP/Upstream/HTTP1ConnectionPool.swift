import NIOCore
import NIOHTTP1
import NIOPosix
import TernCore
import TernUpstream

/// A worker's HTTP/1.1 connections to one upstream host. Idle connections are reused
/// most-recently-used first; a request that finds none opens a new connection, as Envoy's
/// HTTP/1.1 pool does. Confined to the worker's event loop.
final class HTTP1ConnectionPool: UpstreamConnectionPool {
    static let protocolKey = 1

    let host: Host
    let cluster: ClusterConfig
    let eventLoop: any EventLoop
    let worker: Int
    private var idle: [HTTP1UpstreamConnection] = []
    private var waiters = CircularBuffer<any HTTP1PoolWaiter>()
    private var connecting = 0
    private var open = 0
    private var draining = false

    /// The worker's timer list for this cluster's upstream idle timeout.
    private let idleTimers: TimerList?

    init(host: Host, cluster: ClusterConfig, eventLoop: any EventLoop, worker: Int, timers: TimerLists) {
        self.host = host
        self.cluster = cluster
        self.eventLoop = eventLoop
        self.worker = worker
        self.idleTimers = cluster.idleTimeout.map { timers.list($0) }
    }

    var connectionCount: Int { open + connecting }

    /// Hands `waiter` a connection now or when one is ready.
    func acquire(_ waiter: any HTTP1PoolWaiter) {
        while let c = idle.popLast() {
            c.cancelTimer()
            if c.isOpen {
                waiter.poolReady(c)
                return
            }
        }
        cluster.stats.upstreamRqPendingTotal.inc(worker: worker)
        cluster.stats.upstreamRqPendingActive.inc(worker: worker)
        waiters.append(waiter)
        if connecting < waiters.count { connect() }
    }

    /// Withdraws a waiter that no longer needs a connection (downstream went away).
    func cancel(_ waiter: any HTTP1PoolWaiter) {
        if let i = waiters.firstIndex(where: { $0 === waiter }) {
            waiters.remove(at: i)
            cluster.stats.upstreamRqPendingActive.dec(worker: worker)
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
            cluster.stats.upstreamRqPendingActive.dec(worker: worker)
            w.poolReady(c)
            return
        }
        idle.append(c)
        if let list = idleTimers { list.schedule(c) }
    }

    func connectionClosed(_ c: HTTP1UpstreamConnection) {
        open -= 1
        idle.removeAll { $0 === c }
    }

    func drain() {
        draining = true
        for c in idle { c.close() }
        idle.removeAll()
    }

    // MARK: - connecting

    private func connect() {
        connecting += 1
        let stats = cluster.stats
        stats.upstreamCxTotal.inc(worker: worker)
        host.stats.cxTotal.add(1, ordering: .relaxed)
        let host = self.host
        let w = worker
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(cluster.connectTimeout)
            .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    // No request encoder: the connection serializes requests and tells the decoder.
                    let decoder = HTTP1ClientResponseDecoder()
                    try sync.addHandler(ByteToMessageHandler(decoder))
                    try sync.addHandler(HTTP1UpstreamConnection(host: host, stats: stats, worker: w, decoder: decoder))
                }
            }
        bootstrap.connect(to: host.address).assumeIsolated().whenComplete { result in
            self.connecting -= 1
            switch result {
            case .success(let channel):
                guard let c = try? channel.pipeline.syncOperations.handler(type: HTTP1UpstreamConnection.self) else {
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
                let failure: PoolFailure
                if case ChannelError.connectTimeout = error {
                    stats.upstreamCxConnectTimeout.inc(worker: w)
                    failure = .connectTimeout
                } else {
                    failure = .connectFailure("\(error)")
                }
                stats.upstreamCxConnectFail.inc(worker: w)
                host.stats.cxConnectFail.add(1, ordering: .relaxed)
                if let waiter = self.waiters.popFirst() {
                    stats.upstreamRqPendingActive.dec(worker: w)
                    waiter.poolFailed(failure)
                }
            }
        }
    }
}
