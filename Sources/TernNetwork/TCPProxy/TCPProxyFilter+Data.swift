import NIOCore

// The byte path: reads from one side become writes on the other, flushed at the end of the
// tick that read them; `mayRead` holds a side's reads while the other side cannot take more
// (GlueHandler style), so neither direction ever buffers without bound. No closures or
// promises per read.
extension TCPProxyFilter {
    // MARK: - handler events

    func attached(_ handler: TCPProxyHandler, context: ChannelHandlerContext) {
        guard handler.side == .downstream else { return }
        downstreamHandler = handler
        downstream = context
        // Added after the channel became active (e.g. behind listener filters): start now.
        if context.channel.isActive { start() }
    }

    func active(_ handler: TCPProxyHandler, context: ChannelHandlerContext) {
        switch handler.side {
        case .downstream: start()
        case .upstream: if handler === upstreamHandler { upstreamConnected(context) }
        }
    }

    func received(_ bytes: ByteBuffer, from handler: TCPProxyHandler) {
        lastActivity = clock.now
        let count = UInt64(bytes.readableBytes)
        switch handler.side {
        case .downstream:
            received &+= count
            config.stats.downstreamCxRxBytesTotal.inc(worker: worker, by: count)
            switch upstreamState {
            case .connected:
                guard let upstream, !upstreamOutputClosed else { return }
                clusterStats?.upstreamCxTxBytesTotal.inc(worker: worker, by: count)
                upstream.write(NIOAny(bytes), promise: nil)
                upstreamNeedsFlush = true
            case .idle, .connecting:
                held.append(bytes)
                heldBytes += bytes.readableBytes
            case .closed:
                break
            }
        case .upstream:
            guard handler === upstreamHandler else { return }
            sent &+= count
            config.stats.downstreamCxTxBytesTotal.inc(worker: worker, by: count)
            clusterStats?.upstreamCxRxBytesTotal.inc(worker: worker, by: count)
            guard let downstream, !downstreamClosed, !downstreamOutputClosed else { return }
            downstream.write(NIOAny(bytes), promise: nil)
            downstreamNeedsFlush = true
        }
    }

    /// A read burst is over: what it wrote goes out at the end of the tick, with what the
    /// worker's other connections wrote (see `TickFlusher`).
    func readComplete(_ handler: TCPProxyHandler) {
        let wrote = handler.side == .downstream ? upstreamNeedsFlush : downstreamNeedsFlush
        guard wrote, !flushScheduled else { return }
        flushScheduled = true
        flusher.flushAtTickEnd(self)
    }

    func tickEnded() {
        flushScheduled = false
        if upstreamNeedsFlush {
            upstreamNeedsFlush = false
            upstream?.flush()
        }
        if downstreamNeedsFlush {
            downstreamNeedsFlush = false
            downstream?.flush()
        }
    }

    /// Whether `handler`'s channel may read now; if not, the read is remembered and issued
    /// when the other side drains.
    func mayRead(_ handler: TCPProxyHandler) -> Bool {
        switch handler.side {
        case .downstream:
            let allowed: Bool
            switch upstreamState {
            case .idle, .connecting:
                allowed = heldBytes < heldLimit
            case .connected:
                allowed = upstream?.channel.isWritable ?? true
            case .closed:
                allowed = true
            }
            if !allowed {
                downstreamReadHeld = true
                if !downstreamPaused {
                    downstreamPaused = true
                    config.stats.downstreamFlowControlPausedReadingTotal.inc(worker: worker)
                }
            }
            return allowed
        case .upstream:
            let allowed = downstream?.channel.isWritable ?? true
            if !allowed { upstreamReadHeld = true }
            return allowed
        }
    }

    func writabilityChanged(_ handler: TCPProxyHandler, writable: Bool) {
        guard writable else { return }
        switch handler.side {
        case .upstream:
            if handler === upstreamHandler { resumeDownstreamIfPossible() }
        case .downstream:
            if upstreamReadHeld {
                upstreamReadHeld = false
                upstream?.read()
            }
        }
    }

    /// Issues the downstream read held back by `mayRead`, when the upstream can take bytes.
    func resumeDownstreamIfPossible() {
        guard downstreamReadHeld, upstreamState == .connected, upstream?.channel.isWritable ?? false else { return }
        downstreamReadHeld = false
        if downstreamPaused {
            downstreamPaused = false
            config.stats.downstreamFlowControlResumedReadingTotal.inc(worker: worker)
        }
        downstream?.read()
    }

    /// EOF from one side (half-close): pass it on as a shutdown of the other side's output.
    func inputClosed(_ handler: TCPProxyHandler) {
        lastActivity = clock.now
        switch handler.side {
        case .downstream:
            downstreamEOF = true
            switch upstreamState {
            case .connected: shutdownOutput(.upstream)
            case .idle, .connecting: break  // passed on once connected
            case .closed: downstream?.close(promise: nil)
            }
        case .upstream:
            guard handler === upstreamHandler else { return }
            upstreamEOF = true
            shutdownOutput(.downstream)
        }
    }
}
