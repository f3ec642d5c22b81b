import NIOCore
import NIOHTTP1
import TernCore
import TernNetwork

// The HTTP/1.1 codec's connection lifecycle: upgrade takeover, Envoy's delayed close, response
// framing, the connection idle timeout and drain.
extension HTTP1ServerConnection {
    func switchToTunnel(_ tunnel: TunnelHandler) -> Bool {
        guard !closed, let context else { return false }
        // The 101 goes out before the connection stops being HTTP.
        writePending()
        context.flush()
        stream = nil
        pending.removeAll()
        cancelIdleTimer()
        connection.onDrain = nil
        let s = config.stats
        let w = worker
        s.downstreamCxUpgradesTotal.inc(worker: w)
        s.downstreamCxUpgradesActive.inc(worker: w)
        tunnel.onClose = {
            s.downstreamCxUpgradesActive.dec(worker: w)
            s.downstreamCxActive.dec(worker: w)
            s.downstreamCxHTTP1Active.dec(worker: w)
            s.downstreamCxDestroy.inc(worker: w)
        }
        let early = tunnelBytes
        tunnelBytes = nil
        guard tunnel.takeOver(from: context) else { return false }
        if let early { tunnel.forward(early) }
        return true
    }

    /// Envoy's delayed close: once the last response is written, shut our side and keep reading
    /// (and dropping) for up to a second, so a client still sending (an oversized header block,
    /// a body we refused) reads the response instead of a connection reset.
    func delayedClose() {
        guard !closed, let context else { return }
        discarding = true
        pending.removeAll()
        readDisabled = false
        context.close(mode: .output, promise: nil)
        context.read()
        let ctx = context
        // Cancelled when the peer closes first: the task holds the whole channel until it runs.
        delayedCloseTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) { ctx.close(promise: nil) }
    }

    // MARK: - framing, timers, drain

    /// Sets the response's framing headers: content-length is kept, otherwise chunked for
    /// HTTP/1.1 and close-delimited for HTTP/1.0; responses that cannot have a body get none.
    func frame(_ head: inout HTTPResponseHead, endStream: Bool) {
        let code = head.status.code
        // Edits (which copy headers the stream's record shares) only when needed.
        let hasCL = head.headers.contains(name: "content-length")
        if head.headers.contains(name: "transfer-encoding") { head.headers.remove(name: "transfer-encoding") }
        if (100..<200).contains(code) || code == 204 {
            if hasCL { head.headers.remove(name: "content-length") }
            return
        }
        if code == 304 || responseIsHead || hasCL { return }
        if endStream {
            head.headers.add(name: "content-length", value: "0")
        } else if head.version.minor >= 1 {
            head.headers.add(name: "transfer-encoding", value: "chunked")
            responseChunked = true
        } else {
            responseCloseDelimited = true
            closeAfterResponse = true
            head.headers.replaceOrAdd(name: "connection", value: "close")
        }
    }

    /// The connection idle timeout (`common_http_protocol_options.idle_timeout`): while no
    /// stream is active the connection sits in the worker's timer list for that duration.
    func armIdleTimer() {
        guard let timeout = config.idleTimeout, !closed else { return }
        connection.worker.timers.list(timeout).schedule(self)
    }

    func cancelIdleTimer() {
        cancelTimer()
    }

    /// Drain: the next response carries `connection: close`. An idle keep-alive connection stays
    /// open for `drain_timeout` (a request already on its way still gets its answer), then closes.
    func drain() {
        closeAfterResponse = true
        guard stream == nil, !closed, let context else { return }
        context.eventLoop.assumeIsolated().scheduleTask(in: config.drainTimeout) { [self] in
            guard !self.closed, self.stream == nil else { return }
            self.config.stats.downstreamCxDrainClose.inc(worker: self.worker)
            self.delayedClose()
        }
    }
}
