import NIOCore
internal import NIOHTTP2

/// A response that ends before its request (a local reply, an upstream that answers early):
/// the client is told to stop sending with RST_STREAM (NO_ERROR), as Envoy's codec does, but
/// only once frames it already sent have been judged, so one that breaks the protocol still
/// gets its own error.
extension HTTP2StreamCodec {
    func streamComplete(_ finished: ActiveStream) {
        guard stream === finished else { return }
        stream = nil
        if closed {
            server.release(self)
            return
        }
        if !finished.requestComplete {
            // The response ended first (a local reply): tell the client to stop sending, as
            // Envoy does, instead of reading a body nobody wants.
            config.stats.downstreamRqResponseBeforeRqComplete.inc(worker: connection.worker.index)
            ignoringRequest = true
            awaitingRequestEnd = true
            reads.drop()
            // Not right away: the reset goes with the next body frame, or after a short grace
            // if the client sends nothing. Until then the stream stays half-closed, so a frame
            // that breaks the protocol (a body longer than its content-length, a zero
            // WINDOW_UPDATE, DATA after the client's own reset) still gets the codec's error
            // rather than being ignored on a stream already reset. A client that ends its
            // request in time (END_STREAM or trailers) closes the stream with no reset at all.
            server.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: Self.requestEndGrace) { [self] in
                resetUnwantedRequest()
            }
        }
        reads.paused = false
    }

    /// How long a stream whose response ended first waits for the rest of its request before
    /// the RST_STREAM (NO_ERROR) that tells the client to stop. A client still sending gets it
    /// at its next DATA frame anyway; the wait only bounds how long a silent one holds a slot.
    static let requestEndGrace = TimeAmount.seconds(1)
    /// How long the RST_STREAM (NO_ERROR) for a client still sending waits for frames already
    /// in flight: long enough for a burst the client wrote at once, short against a body.
    static let resetSettleTime = TimeAmount.milliseconds(20)

    /// The response is complete and the rest of the request is not wanted: RST_STREAM with
    /// NO_ERROR, as Envoy's codec sends it (or the error of a frame that broke the protocol).
    func resetUnwantedRequest(_ code: HTTP2ErrorCode = .noError) {
        guard awaitingRequestEnd, !closed else { return }
        if code == .noError {
            // Not at once: frames the client already sent (trailers without END_STREAM, a body
            // past its content-length) are judged first and get their own error instead, and a
            // response still held goes out first.
            if !resetScheduled {
                resetScheduled = true
                server.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: Self.resetSettleTime) { [self] in
                    if awaitingRequestEnd, !closed { writeReset(.noError) }
                }
            }
            return
        }
        // The error replaces whatever was still to go.
        heldHead = nil
        heldBody = nil
        heldEnd = false
        writeReset(code)
    }

    private func writeReset(_ code: HTTP2ErrorCode) {
        awaitingRequestEnd = false
        server.codec?.writeReset(id, code)
        server.requestFlush()
    }
}
