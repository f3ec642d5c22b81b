#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import Synchronization
import TernCore
import TernUpstream

// tcp_proxy's data path. One `TCPProxyFilter` per downstream connection, confined to that
// connection's event loop, owns both channels' state: which cluster and host, the bytes held
// while the upstream connects, half-close progress in each direction, read back-pressure, the
// idle timer, and the figures its access-log record reports. The two `TCPProxyHandler`s only
// forward events. The upstream is connected on the same loop, so nothing here is locked.
//
// Life of a connection:
//   downstream active → pick cluster → pick host → connect (retrying other hosts up to
//   max_connect_attempts) → glue bytes both ways → each side's EOF becomes a shutdown(WR) of
//   the other → both channels closed → access log.

/// One proxied TCP connection (`envoy.filters.network.tcp_proxy`), from accept to close.
final class TCPProxyFilter: TickFlushable {
    enum Side {
        case downstream, upstream
    }

    enum UpstreamState {
        /// No connect started yet.
        case idle
        case connecting
        case connected
        /// Closed, or never opened (no cluster, no host, connect failed).
        case closed
    }

    let config: TCPProxyConfig
    let connection: DownstreamConnection
    let worker: Int
    let eventLoop: any EventLoop

    // MARK: - channels

    var downstreamHandler: TCPProxyHandler?
    var downstream: ChannelHandlerContext?
    var upstreamHandler: TCPProxyHandler?
    var upstream: ChannelHandlerContext?
    var upstreamState = UpstreamState.idle
    var cluster: WorkerCluster?
    /// The chosen cluster's stats, kept so the byte path does not go through its config.
    var clusterStats: ClusterStats?
    /// The cluster's `max_connections` slot held by the upstream connection (Envoy: default priority).
    var connectionSlot: ResourceLimit?
    var host: Host?
    var connectAttempts = 0

    // MARK: - flow

    var started = false
    /// Downstream bytes read while the upstream connects, bounded by the cluster's
    /// `per_connection_buffer_limit_bytes` (reading stops past it).
    var held: [ByteBuffer] = []
    var heldBytes = 0
    var heldLimit = 1 << 20
    var upstreamNeedsFlush = false
    var downstreamNeedsFlush = false
    /// The worker's flusher holds this connection for the end of the tick.
    var flushScheduled = false
    let flusher: TickFlusher
    var downstreamReadHeld = false
    var upstreamReadHeld = false
    var downstreamPaused = false
    /// EOF received from that side.
    var downstreamEOF = false
    var upstreamEOF = false
    /// We shut that side's output (or asked NIO to, once its queued bytes are written).
    var downstreamOutputClosed = false
    var upstreamOutputClosed = false
    var downstreamClosed = false
    /// We ended the upstream before it ended (for `upstream_cx_destroy_local` vs `_remote`).
    var upstreamClosedByUs = false
    var finished = false

    // MARK: - timers

    var lastActivity: NIODeadline
    var idleTimer: Scheduled<Void>?
    var durationTimer: Scheduled<Void>?

    // MARK: - access log

    /// Wall-clock start (`%START_TIME%`).
    let startTime: (seconds: Int, nanoseconds: Int)
    let startDeadline: NIODeadline
    /// The worker's clock, cached across each read (see `LoopClock`).
    let clock: LoopClock
    var endTime: NIODeadline?
    var received: UInt64 = 0
    var sent: UInt64 = 0
    var flags = ResponseFlags()
    var failureReason: String?
    var terminationDetails: String?
    var upstreamLocal: SocketAddress?

    init(config: TCPProxyConfig, connection: DownstreamConnection) {
        self.config = config
        self.connection = connection
        self.worker = connection.worker.index
        self.eventLoop = connection.worker.eventLoop
        let clock = connection.worker.clock
        self.clock = clock
        self.flusher = connection.worker.flusher
        let now = clock.wallClock
        self.startTime = (Int(now.tv_sec), Int(now.tv_nsec))
        self.startDeadline = clock.now
        self.lastActivity = startDeadline
    }

    // MARK: - start

    /// Called once the downstream is active: counts it, arms timers, picks the cluster and host
    /// and starts connecting.
    func start() {
        guard !started else { return }
        started = true
        config.stats.downstreamCxTotal.inc(worker: worker)
        armTimers()
        let name = config.pickCluster()
        guard let cluster = connection.worker.clusters.cluster(name) else {
            config.stats.downstreamCxNoRoute.inc(worker: worker)
            flags.insert(.noClusterFound)
            upstreamState = .closed
            downstream?.close(promise: nil)
            return
        }
        self.cluster = cluster
        clusterStats = cluster.config.stats
        heldLimit = cluster.config.perConnectionBufferLimitBytes
        connectNext()
    }

    /// Starts one connect attempt to a host other than the one that just failed.
    func connectNext() {
        guard let cluster else { return }
        guard let host = cluster.chooseHost(excluding: host) else {
            cluster.config.stats.upstreamCxNoneHealthy.inc(worker: worker)
            flags.insert(.noHealthyUpstream)
            upstreamState = .closed
            downstream?.close(promise: nil)
            return
        }
        self.host = host
        // circuit_breakers max_connections: over the limit the downstream is closed (UO), as in Envoy.
        let limit = cluster.config.circuitBreakers.manager(.default).connections
        guard limit.tryAcquire(worker: worker) else {
            cluster.config.circuitBreakers.stats.upstreamCxOverflow.inc(worker: worker)
            flags.insert(.upstreamOverflow)
            upstreamState = .closed
            downstream?.close(promise: nil)
            return
        }
        connectionSlot = limit
        connectAttempts += 1
        upstreamState = .connecting
        let stats = cluster.config.stats
        stats.upstreamCxTotal.inc(worker: worker)
        stats.upstreamCxActive.inc(worker: worker)
        host.stats.cxTotal.wrappingAdd(1, ordering: .relaxed)
        host.stats.cxActive.wrappingAdd(1, ordering: .relaxed)

        let handler = TCPProxyHandler(side: .upstream, filter: self)
        upstreamHandler = handler
        let bound = NIOLoopBound(handler, eventLoop: eventLoop)
        let transport = cluster.config.transportSocket
        ClientBootstrap(group: eventLoop)
            .connectTimeout(cluster.config.connectTimeout)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // TLS origination (the cluster's transport socket) sits below the proxy handler.
                    try transport?.addHandlers(to: channel, host: host)
                    try channel.pipeline.syncOperations.addHandler(bound.value)
                }
            }
            .connect(to: host.address)
            // A failed TLS handshake is a failed connect (another host may be tried), as in Envoy.
            .flatMap { channel in transport?.handshakeCompleted(on: channel) ?? channel.eventLoop.makeSucceededVoidFuture() }
            .assumeIsolated()
            .whenFailure { [self] error in connectFailed(handler, host: host, error: error) }
    }

    /// A connect attempt failed: try another host if attempts remain, else close the downstream.
    func connectFailed(_ handler: TCPProxyHandler, host: Host, error: any Error) {
        guard handler === upstreamHandler, upstreamState == .connecting, let cluster else { return }
        let stats = cluster.config.stats
        stats.upstreamCxConnectFail.inc(worker: worker)
        stats.upstreamCxActive.dec(worker: worker)
        releaseConnectionSlot()
        if case ChannelError.connectTimeout = error {
            stats.upstreamCxConnectTimeout.inc(worker: worker)
        }
        host.stats.cxConnectFail.wrappingAdd(1, ordering: .relaxed)
        host.outlier?.putResult(.localOriginConnectFailed)
        host.stats.cxActive.wrappingSubtract(1, ordering: .relaxed)
        failureReason = Self.describe(error)
        upstreamHandler = nil
        upstream = nil
        if !downstreamClosed, connectAttempts < config.maxConnectAttempts {
            connectNext()
            return
        }
        upstreamState = .closed
        if !downstreamClosed {
            config.stats.upstreamCxConnectAttemptsExceeded.inc(worker: worker)
            flags.insert(.upstreamConnectionFailure)
            downstream?.close(promise: nil)
        }
        finishIfDone()
    }

    func releaseConnectionSlot() {
        connectionSlot?.release(worker: worker)
        connectionSlot = nil
    }

    /// The upstream is connected: send what was held, pass on an early EOF, resume reading.
    func upstreamConnected(_ context: ChannelHandlerContext) {
        upstream = context
        upstreamState = .connected
        host?.outlier?.putResult(.localOriginConnectSuccessFinal)
        upstreamLocal = context.channel.localAddress
        if downstreamClosed {
            // The client went away while we connected: nothing to deliver to.
            upstreamClosedByUs = true
            context.close(promise: nil)
            return
        }
        if !held.isEmpty {
            for bytes in held {
                clusterStats?.upstreamCxTxBytesTotal.inc(worker: worker, by: UInt64(bytes.readableBytes))
                context.write(NIOAny(bytes), promise: nil)
            }
            held = []
            heldBytes = 0
            context.flush()
        }
        if downstreamEOF {
            shutdownOutput(.upstream)
        }
        resumeDownstreamIfPossible()
    }

    /// `connection refused`-style text for `%UPSTREAM_TRANSPORT_FAILURE_REASON%`.
    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if case ChannelError.connectTimeout = error { return "connect timeout" }
        return String(describing: error)
    }
}
