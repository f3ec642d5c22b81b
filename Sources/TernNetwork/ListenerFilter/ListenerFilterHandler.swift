import NIOCore

/// The listener-filter phase of one accepted connection (Envoy's `ActiveTcpSocket`): the only
/// handler in the pipeline until the filter chain is known. It keeps every byte that arrives,
/// shows the bytes so far to each listener filter in turn until all have decided, then hands the
/// enriched `ConnectionMatchProperties` to `onDecided` (which chooses the chain and adds the
/// transport socket and network filters behind this handler), passes the kept bytes on to them
/// and leaves the pipeline, so no byte is lost or seen twice.
///
/// Only listeners with listener filters pay for this; the others choose their chain at accept.
/// Confined to the connection's event loop.
package final class ListenerFilterHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = ByteBuffer
    package typealias InboundOut = ByteBuffer

    private enum State {
        case inspecting
        /// The connection is being closed by this handler or the peer; nothing more to decide.
        case closing
        case decided
    }

    private let filters: [any ListenerFilter]
    private var next = 0
    private var properties: ConnectionMatchProperties
    private var buffered: ByteBuffer?
    private let maxReadBytes: Int
    private let timeout: TimeAmount?
    private let continueOnTimeout: Bool
    private let stats: ListenerStats
    private let worker: Int
    private let onDecided: (ConnectionMatchProperties) -> Void
    private var timer: Scheduled<Void>?
    private var state = State.inspecting
    private var counted = false

    /// `onDecided` runs once, on the event loop, when every filter has continued (or on timeout
    /// with `continueOnTimeout`); it must choose the chain and add its handlers, or close.
    package init(filters: [any ListenerFilter], properties: ConnectionMatchProperties, maxReadBytes: Int,
                timeout: TimeAmount?, continueOnTimeout: Bool, stats: ListenerStats, worker: Int,
                onDecided: @escaping (ConnectionMatchProperties) -> Void) {
        self.filters = filters
        self.properties = properties
        self.maxReadBytes = maxReadBytes
        self.timeout = timeout
        self.continueOnTimeout = continueOnTimeout
        self.stats = stats
        self.worker = worker
        self.onDecided = onDecided
    }

    // MARK: - lifecycle

    package func handlerAdded(context: ChannelHandlerContext) {
        stats.downstreamPreCxActive.inc(worker: worker)
        counted = true
        if let timeout {
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
                timedOut(context: context)
            }
        }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        leavePhase()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        if state == .inspecting { state = .closing }
        leavePhase()
        context.fireChannelInactive()
    }

    // MARK: - bytes

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard state == .inspecting else {
            // Closing: what the peer still sends goes nowhere (no chain was chosen).
            if state == .decided { context.fireChannelRead(data) }
            return
        }
        var bytes = unwrapInboundIn(data)
        if buffered == nil {
            buffered = bytes
        } else {
            buffered!.writeBuffer(&bytes)
        }
        runFilters(context: context)
    }

    package func channelReadComplete(context: ChannelHandlerContext) {
        // While inspecting nothing behind this handler has seen a byte yet.
        if state == .decided { context.fireChannelReadComplete() }
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if state == .inspecting, let event = event as? ChannelEvent, event == .inputClosed {
            // The peer finished sending before the filters could decide (Envoy: remote close).
            stats.downstreamListenerFilterRemoteClose.inc(worker: worker)
            close(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard state == .inspecting else {
            context.fireErrorCaught(error)
            return
        }
        // A reset or read error before the chain was chosen.
        stats.downstreamListenerFilterError.inc(worker: worker)
        close(context: context)
    }

    // MARK: - deciding

    private func runFilters(context: ChannelHandlerContext) {
        let bytes = buffered ?? ByteBuffer()
        while next < filters.count {
            switch filters[next].onData(bytes, properties: &properties) {
            case .continue:
                next += 1
            case .needMoreData:
                // The filters bound what they wait for; this is the backstop if one does not.
                if bytes.readableBytes >= maxReadBytes {
                    stats.downstreamListenerFilterError.inc(worker: worker)
                    close(context: context)
                }
                return
            case .close:
                close(context: context)
                return
            }
        }
        decide(context: context, fromRead: true)
    }

    private func timedOut(context: ChannelHandlerContext) {
        timer = nil
        guard state == .inspecting else { return }
        stats.downstreamPreCxTimeout.inc(worker: worker)
        if continueOnTimeout {
            decide(context: context, fromRead: false)
        } else {
            close(context: context)
        }
    }

    private func decide(context: ChannelHandlerContext, fromRead: Bool) {
        state = .decided
        leavePhase()
        onDecided(properties)
        // No chain: `onDecided` closed the connection.
        guard context.channel.isActive else { return }
        if let bytes = buffered, bytes.readableBytes > 0 {
            buffered = nil
            context.fireChannelRead(wrapInboundOut(bytes))
            // From a read, the channel's own readComplete follows and reaches the new handlers.
            if !fromRead { context.fireChannelReadComplete() }
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func close(context: ChannelHandlerContext) {
        state = .closing
        leavePhase()
        buffered = nil
        context.close(promise: nil)
    }

    /// Ends the phase's bookkeeping once, however the phase ends.
    private func leavePhase() {
        timer?.cancel()
        timer = nil
        if counted {
            counted = false
            stats.downstreamPreCxActive.dec(worker: worker)
        }
    }
}
