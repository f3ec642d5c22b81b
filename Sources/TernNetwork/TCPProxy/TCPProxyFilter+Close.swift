import NIOCore
import Synchronization

// Ending a proxied connection. The ordinary end is two half-closes: each side's EOF becomes a
// shutdown(WR) of the other, and NIO closes each channel once both its directions are done.
// Anything else (a reset, a full close without half-close, a timeout) closes the other side
// too, flushing what it still has to write first, as Envoy's FlushWrite does. When both
// channels are gone the access log is written and the reference cycles are broken.
extension TCPProxyFilter {
    /// Passes an EOF on: shuts down `side`'s output once its queued bytes are written.
    func shutdownOutput(_ side: Side) {
        switch side {
        case .upstream:
            guard !upstreamOutputClosed, let upstream else { return }
            upstreamOutputClosed = true
            // NIO turns an output shutdown on a channel whose input is already shut into a full
            // close that drops queued writes, so in that case flush first, then close.
            if upstreamEOF { closeAfterFlush(upstream) } else { upstream.flush(); upstream.close(mode: .output, promise: nil) }
        case .downstream:
            guard !downstreamOutputClosed, !downstreamClosed, let downstream else { return }
            downstreamOutputClosed = true
            if downstreamEOF { closeAfterFlush(downstream) } else { downstream.flush(); downstream.close(mode: .output, promise: nil) }
        }
    }

    /// Closes the channel of `context` after everything written to it so far has gone out.
    func closeAfterFlush(_ context: ChannelHandlerContext) {
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(ByteBuffer()), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func inactive(_ handler: TCPProxyHandler) {
        switch handler.side {
        case .downstream:
            downstreamClosed = true
            if upstreamState == .connected, let upstream {
                upstreamClosedByUs = true
                if !upstreamOutputClosed {
                    upstreamOutputClosed = true
                    if let pending = try? upstream.channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes),
                       pending > 0 {
                        config.stats.upstreamFlushTotal.inc(worker: worker)
                    }
                    closeAfterFlush(upstream)
                } else if !upstreamEOF {
                    // Its queued bytes still go out; then NIO closes it, input already shut.
                    upstream.close(mode: .input, promise: nil)
                }
            }
        case .upstream:
            guard handler === upstreamHandler, upstreamState == .connected else { return }
            upstreamState = .closed
            upstream = nil
            if let stats = clusterStats {
                stats.upstreamCxActive.dec(worker: worker)
                stats.upstreamCxDestroy.inc(worker: worker)
                (upstreamClosedByUs && !upstreamEOF ? stats.upstreamCxDestroyLocal : stats.upstreamCxDestroyRemote).inc(worker: worker)
            }
            host?.stats.cxActive.wrappingSubtract(1, ordering: .relaxed)
            releaseConnectionSlot()
            if !downstreamClosed, let downstream {
                if !downstreamOutputClosed {
                    downstreamOutputClosed = true
                    closeAfterFlush(downstream)
                } else if !downstreamEOF {
                    downstream.close(mode: .input, promise: nil)
                }
            }
        }
        finishIfDone()
    }

    func detached(_ handler: TCPProxyHandler) {
        if handler === downstreamHandler {
            downstream = nil
            // Removed without closing (should not happen): treat as closed.
            if !downstreamClosed { inactive(handler) }
        } else if handler === upstreamHandler {
            upstream = nil
        }
    }

    /// Once neither channel is open: stop timers, write the access log, break cycles.
    func finishIfDone() {
        guard !finished, downstreamClosed, upstreamState == .idle || upstreamState == .closed else { return }
        finished = true
        endTime = clock.now
        idleTimer?.cancel()
        idleTimer = nil
        durationTimer?.cancel()
        durationTimer = nil
        for logger in config.accessLogs {
            logger.log(self, worker: connection.worker)
        }
        downstream = nil
        downstreamHandler = nil
        upstream = nil
        upstreamHandler = nil
        held = []
    }

    // MARK: - timers

    func armTimers() {
        if let idle = config.idleTimeout { armIdleTimer(after: idle) }
        if let limit = config.maxDownstreamConnectionDuration {
            durationTimer = eventLoop.assumeIsolated().scheduleTask(in: limit) { [self] in
                durationTimer = nil
                guard !finished else { return }
                config.stats.maxDownstreamConnectionDuration.inc(worker: worker)
                closeBothNow(details: "max_downstream_connection_duration_reached")
            }
        }
    }

    /// One timer per connection, re-armed for the remaining time when it fires early, so reads
    /// only store a timestamp.
    private func armIdleTimer(after delay: TimeAmount) {
        idleTimer = eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            idleTimer = nil
            guard !finished, let timeout = config.idleTimeout else { return }
            let idle = clock.now - lastActivity
            if idle >= timeout {
                config.stats.idleTimeout.inc(worker: worker)
                closeBothNow(details: "tcp_session_idle_timeout")
            } else {
                armIdleTimer(after: timeout - idle)
            }
        }
    }

    /// Closes both sides at once without flushing (timeouts), as Envoy's NoFlush close.
    func closeBothNow(details: String) {
        if terminationDetails == nil { terminationDetails = details }
        if upstream != nil { upstreamClosedByUs = true }
        upstream?.close(promise: nil)
        downstream?.close(promise: nil)
    }
}
