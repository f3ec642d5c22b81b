import NIOCore
internal import NIOHTTP2
import NIOPosix
import TernCore
import TernHTTP2
import TernUpstream

/// A worker's HTTP/2 connections to one host at one priority (Envoy's HTTP/2 pool): requests
/// are streams multiplexed on as few connections as the limits allow. A connection takes
/// streams up to the smaller of the peer's SETTINGS_MAX_CONCURRENT_STREAMS and the cluster's
/// `max_concurrent_streams` (and `max_requests_per_connection` in total); when every connection
/// is full, or draining after a GOAWAY, another is opened. Confined to the worker's event loop.
///
/// Circuit breakers as for HTTP/1.1: a request that must wait takes a pending slot
/// (`upstream_rq_pending_overflow` when none is left), a new connection a connection slot
/// (`upstream_cx_overflow`; the requests then wait for a stream on the existing connections,
/// except that a pool with no connection at all still opens one). `max_requests` is taken by the
/// router per stream.
final class HTTP2ConnectionPool: UpstreamConnectionPool, UpstreamHTTPPool {
    static let protocolKey = 2
    /// How many connections keep a learned streams-per-connection limit before it is tried without.
    static let connectsBeforeForgetting = 16

    /// The pool key for `priority`: one pool per host, protocol and priority.
    static func key(_ priority: ResourcePriority) -> Int { protocolKey + priority.rawValue << 8 }

    let host: Host
    let cluster: ClusterConfig
    let settings: UpstreamHTTP2Settings
    let eventLoop: any EventLoop
    let worker: Int
    let priority: ResourcePriority
    private let resources: ResourceManager
    /// Open connections, ready or waiting for the peer's SETTINGS, oldest first.
    private var connections: [HTTP2UpstreamConnection] = []
    private var waiters = CircularBuffer<any UpstreamPoolWaiter>()
    private var connecting = 0
    private var draining = false
    /// The worker's timer list for this cluster's upstream idle timeout.
    let idleTimers: TimerList?
    private let clock: LoopClock
    /// Streams the upstream accepts per connection before it sends GOAWAY, as last seen
    /// (Tern-only): new connections open no more, so later requests are not refused.
    private var learnedStreamsPerConnection: Int?
    /// Connections opened under the learned limit since it was learned: after a few the limit is
    /// forgotten (the upstream may have been restarting, not limiting), and learned again if not.
    private var connectsSinceLearned = 0

    init(host: Host, cluster: ClusterConfig, settings: UpstreamHTTP2Settings, eventLoop: any EventLoop, worker: Int,
         timers: TimerLists, priority: ResourcePriority = .default) {
        self.host = host
        self.cluster = cluster
        self.settings = settings
        self.priority = priority
        self.resources = cluster.circuitBreakers.manager(priority)
        self.eventLoop = eventLoop
        self.worker = worker
        self.idleTimers = cluster.idleTimeout.map { timers.list($0) }
        self.clock = timers.clock
    }

    var connectionCount: Int { connections.count + connecting }

    /// Streams a connection may carry at most, before the peer says otherwise.
    private var streamsPerConnection: Int {
        min(settings.maxConcurrentStreams, maxRequestsPerConnection ?? Int.max)
    }

    /// `max_requests_per_connection`, lowered to what the upstream was seen to accept.
    private var maxRequestsPerConnection: Int? {
        guard let learned = learnedStreamsPerConnection else { return cluster.maxRequestsPerConnection }
        return min(learned, cluster.maxRequestsPerConnection ?? Int.max)
    }

    // MARK: - UpstreamHTTPPool

    func acquire(_ waiter: any UpstreamPoolWaiter) {
        guard !draining else {
            waiter.poolFailed(.draining)
            return
        }
        if waiters.isEmpty, let c = connectionWithRoom() {
            open(on: c, for: waiter)
            return
        }
        guard resources.pendingRequests.tryAcquire(worker: worker) else {
            cluster.circuitBreakers.stats.upstreamRqPendingOverflow.inc(worker: worker)
            waiter.poolFailed(.overflow)
            return
        }
        cluster.stats.upstreamRqPendingTotal.inc(worker: worker)
        cluster.stats.upstreamRqPendingActive.inc(worker: worker)
        waiters.append(waiter)
        connectIfNeeded()
    }

    func cancel(_ waiter: any UpstreamPoolWaiter) {
        if let i = waiters.firstIndex(where: { $0 === waiter }) {
            waiters.remove(at: i)
            dequeued()
        }
    }

    func drain() {
        draining = true
        while let w = waiters.popFirst() {
            dequeued()
            w.poolFailed(.draining)
        }
        for c in connections { c.drain() }
    }

    // MARK: - from connections

    /// A connection got its SETTINGS, a stream ended, or a GOAWAY took a connection away:
    /// waiters get streams where there is room, and a connection is opened if still needed.
    func capacityChanged() {
        while !waiters.isEmpty, let c = connectionWithRoom() {
            let w = waiters.removeFirst()
            dequeued()
            open(on: c, for: w)
        }
        connectIfNeeded()
    }

    /// A GOAWAY showed that the upstream takes only `n` streams per connection: no connection
    /// opens more from now on.
    func learned(streamsPerConnection n: Int) {
        learnedStreamsPerConnection = n
        connectsSinceLearned = 0
        for c in connections { c.lowerMaxRequests(to: n) }
    }

    func connectionClosed(_ c: HTTP2UpstreamConnection) {
        connections.removeAll { $0 === c }
        resources.connections.release(worker: worker)
        if !c.ready {
            // Closed before its SETTINGS (not an HTTP/2 server?): the requests counting on it
            // fail rather than trying again and again.
            failWaitersBeyondCapacity(c.failedWithProtocolError ? .protocolError
                                      : .connectFailure("connection closed before the upstream's HTTP/2 SETTINGS"))
        }
        capacityChanged()
    }

    // MARK: - streams

    private func connectionWithRoom() -> HTTP2UpstreamConnection? {
        // The newest connection first: older ones are more likely to be near a limit or a GOAWAY.
        connections.last { $0.capacity > 0 }
    }

    private func open(on c: HTTP2UpstreamConnection, for waiter: any UpstreamPoolWaiter) {
        c.openStream { stream in
            if let stream {
                waiter.poolReady(stream)
            } else {
                // Nothing was sent: the request waits for a stream elsewhere (the connection
                // that failed it takes no more).
                self.acquire(waiter)
            }
        }
    }

    private func dequeued() {
        cluster.stats.upstreamRqPendingActive.dec(worker: worker)
        resources.pendingRequests.release(worker: worker)
    }

    /// Opens a connection when the waiters outnumber the streams the connections being made
    /// (or waiting for their SETTINGS) are expected to carry.
    private func connectIfNeeded() {
        guard !draining, !waiters.isEmpty else { return }
        let expected = (connecting + connections.count(where: { !$0.ready && $0.isOpen })).multipliedReportingOverflow(by: streamsPerConnection)
        if !expected.overflow, waiters.count > expected.partialValue { connect() }
    }

    // MARK: - connecting

    private func connect() {
        let limits = cluster.circuitBreakers
        let hostActive = Int(host.stats.cxActive.load(ordering: .relaxed)) + connecting
        if !resources.connections.tryAcquire(worker: worker) {
            limits.stats.upstreamCxOverflow.inc(worker: worker)
            // Waiting requests still need a connection of their own pool to make progress.
            guard connectionCount == 0 else { return }
            resources.connections.forceAcquire(worker: worker)
        } else if !limits.hostAllowsConnection(priority, active: hostActive) {
            limits.stats.upstreamCxOverflow.inc(worker: worker)
            guard connectionCount == 0 else {
                resources.connections.release(worker: worker)
                return
            }
        }
        connecting += 1
        if learnedStreamsPerConnection != nil {
            connectsSinceLearned += 1
            if connectsSinceLearned > Self.connectsBeforeForgetting { learnedStreamsPerConnection = nil }
        }
        let stats = cluster.stats
        stats.upstreamCxTotal.inc(worker: worker)
        stats.upstreamCxHTTP2Total.inc(worker: worker)
        host.stats.cxTotal.add(1, ordering: .relaxed)
        let host = self.host
        let w = worker
        let settings = self.settings
        let scheme = cluster.transportSocket == nil ? "http" : "https"
        let maxRequests = maxRequestsPerConnection
        let configuredMaxRequests = cluster.maxRequestsPerConnection
        let clock = self.clock
        let addCodec: @Sendable (any Channel) throws -> Void = { channel in
            let sync = channel.pipeline.syncOperations
            let codec = HTTP2Codec(configuration: Self.codecConfiguration(settings))
            let connection = HTTP2UpstreamConnection(
                host: host, stats: stats, worker: w, scheme: scheme,
                maxConcurrentStreams: settings.maxConcurrentStreams, maxRequests: maxRequests,
                configuredMaxRequests: configuredMaxRequests, connectionWindow: settings.initialConnectionWindowSize,
                streamWindow: settings.initialStreamWindowSize)
            codec.delegate = connection
            codec.clock = clock
            connection.codec = codec
            try sync.addHandler(codec)
            try sync.addHandler(connection)
        }
        let connected = UpstreamConnector.connect(on: eventLoop, to: host, cluster: cluster, alpnFallback: ["h2"],
                                                  addCodec: addCodec)
        connected.assumeIsolated().whenComplete { result in
            self.connecting -= 1
            switch result {
            case .success(let channel):
                guard let c = try? channel.pipeline.syncOperations.handler(type: HTTP2UpstreamConnection.self) else {
                    self.resources.connections.release(worker: w)
                    channel.close(promise: nil)
                    return
                }
                stats.upstreamCxActive.inc(worker: w)
                host.stats.cxActive.add(1, ordering: .relaxed)
                c.pool = self
                self.connections.append(c)
                if self.draining { c.drain() }
                // Streams wait for the peer's SETTINGS (its stream limit); they may already be here.
                self.capacityChanged()
            case .failure(let error):
                let failure = UpstreamConnector.connectFailed(error, host: host, stats: stats, worker: w)
                self.resources.connections.release(worker: w)
                self.failWaitersBeyondCapacity(failure)
            }
        }
    }

    /// After a failed connect: the waiters that the remaining connections (being made or open)
    /// cannot be expected to carry fail, newest last, as Envoy purges pending streams.
    private func failWaitersBeyondCapacity(_ failure: PoolFailure) {
        var room = 0
        for c in connections { room = room.addingReportingOverflow(c.ready ? c.capacity : streamsPerConnection).partialValue }
        let pendingConnects = connecting.multipliedReportingOverflow(by: streamsPerConnection)
        room = pendingConnects.overflow ? Int.max : room.addingReportingOverflow(pendingConnects.partialValue).partialValue
        if room < 0 { room = Int.max }
        while waiters.count > room, let w = waiters.popFirst() {
            dequeued()
            w.poolFailed(failure)
        }
    }

    /// The client codec with the cluster's `http2_protocol_options`: the initial stream window
    /// in SETTINGS, server push off; the connection sends the connection window's WINDOW_UPDATE.
    /// No reset budget: an upstream that resets many streams (a server finishing responses
    /// early, gRPC cancellations) is not an attack.
    static func codecConfiguration(_ settings: UpstreamHTTP2Settings) -> HTTP2CodecConfiguration {
        var config = HTTP2CodecConfiguration(role: .client)
        config.disablePush = true
        config.initialWindowSize = settings.initialStreamWindowSize
        return config
    }
}
