internal import NIOHTTP2

extension HTTP2ServerConnection {
    /// Envoy's `overload.premature_reset_total_stream_count` default: the connection manager
    /// judges a connection once this many streams ended, or earlier when half of it were premature.
    static let prematureResetTotalStreamCount = 500

    /// Envoy's defence against rapid reset (CVE-2023-44487) in the connection manager: a stream
    /// that ends within a second without a response is premature; a connection where at least
    /// half of its streams (and at least 250) were is closed, counting
    /// `downstream_rq_too_many_premature_resets`. Envoy 1.40 aborts the socket; Tern says GOAWAY
    /// ENHANCE_YOUR_CALM first so a client learns why.
    func streamEnded(premature: Bool) {
        guard !closed, !finishing else { return }
        endedStreams += 1
        if premature { prematureResets += 1 }
        let limit = Self.prematureResetTotalStreamCount
        if endedStreams < limit {
            guard prematureResets >= limit / 2 else { return }
        } else {
            guard prematureResets * 2 >= endedStreams else { return }
        }
        // Streams also end when the connection does; only an open connection is judged (as Envoy).
        guard context.channel.isActive else { return }
        config.http2.codecStats?.downstreamRqTooManyPrematureResets.inc(worker: worker)
        closeWithGoAway(.enhanceYourCalm)
    }

    /// A final GOAWAY with an error and the close, without waiting for streams in flight.
    func closeWithGoAway(_ code: HTTP2ErrorCode) {
        guard !closed, !finishing else { return }
        finishing = true
        draining = true
        cancelTimer()
        closedLocally = true
        config.http2.codecStats?.goawaySent.inc(worker: worker)
        // Not from inside the codec's stream-close callback that got us here.
        context.eventLoop.assumeIsolated().execute { [self] in
            guard !self.closed else { return }
            codec?.writeGoAway(lastStreamID: lastStreamID, code)
            codec?.flush()
            context.close(promise: nil)
        }
    }
}
