import NIOCore
import NIOHTTP1
import TernNetwork

extension RouterFilter: UpstreamResponseDelegate {
    func upstreamResponseHead(_ head: consuming HTTPResponseHead, endStream: Bool) {
        guard !done, let cluster else { return }
        let now = withStream { s in
            s.info.markFirstUpstreamByte()
            return s.workerState.clock.uptimeNanoseconds
        }
        let code = Int(head.status.code)
        if let host {
            host.outlier?.putHTTPStatus(code)
            if code >= 500 {
                host.stats.rqError.add(1, ordering: .relaxed)
            } else {
                host.stats.rqSuccess.add(1, ordering: .relaxed)
            }
        }
        // Nothing went downstream yet: a retriable answer is dropped (its connection closed) for another attempt.
        if retries.state != nil, head.status != .switchingProtocols, retryAfterResponse(head) { return }
        responseStarted = true
        cluster.config.stats.upstreamCodes.record(code, worker: worker)
        if head.status == .switchingProtocols, !isUpgrade {
            // A 101 nobody asked for cannot be relayed.
            upstreamReset(.protocolError)
            return
        }
        if !suppressEnvoyHeaders {
            let elapsedMs = (now &- startUptime) / 1_000_000
            head.headers.add(literalName: "x-envoy-upstream-service-time", value: String(elapsedMs))
        }
        withStream { s in
            if let target { target.responseMutations.apply(to: &head.headers, stream: s.info) }
            if let route = s.route {
                for m in route.responseMutations { m.apply(to: &head.headers, stream: s.info) }
            }
        }
        if endStream {
            // A headers-only response: the exchange is over (as in upstreamResponseEnd).
            cluster.config.stats.upstreamRqCompleted.inc(worker: worker)
            upstream = nil
            cleanUp(abortUpstream: false)
        }
        // Through `stream`, which holds the stream for the call: a headers-only response
        // completes it.
        stream.encodeHeaders(consume head, endStream: endStream)
    }

    func upstreamResponseBody(_ body: ByteBuffer) {
        guard !done else { return }
        // Held (not borrowed): a failed write can close the connection and free the stream
        // while it encodes.
        let s = stream
        s.encodeData(body, endStream: false)
        if !s.downstreamWritable, let upstream {
            // The client reads slower than the upstream writes: stop reading upstream until it catches up.
            upstream.setReadPaused(true)
            s.onDownstreamWritable = { upstream.setReadPaused(false) }
        }
    }

    func upstreamResponseEnd(_ trailers: HTTPHeaders?) {
        guard !done, let cluster else { return }
        // Held (not borrowed): ending the response completes the stream, which its codec then
        // lets go of.
        let s = stream
        cluster.config.stats.upstreamRqCompleted.inc(worker: worker)
        upstream = nil
        cleanUp(abortUpstream: false)
        if let trailers, !trailers.isEmpty {
            s.encodeTrailers(trailers)
        } else {
            s.encodeData(ByteBuffer(), endStream: true)
        }
    }

    func upstreamReset(_ reason: UpstreamResetReason) {
        guard !done, let cluster else { return }
        let s = stream
        upstream = nil
        cluster.config.stats.upstreamRqRxReset.inc(worker: worker)
        let started = responseStarted
        let refused = reason == .remoteRefusedStreamReset
        // Never processed by the upstream (GOAWAY or REFUSED_STREAM) and no retry policy: sent
        // again on another stream; the host did nothing wrong, so it is not charged.
        if !started, refused, retries.state == nil, replayRefusedStream() { return }
        host?.stats.rqError.add(1, ordering: .relaxed)
        host?.outlier?.putResult(.localOriginConnectFailed)  // as Envoy, for every upstream reset
        if !started {
            if retryAfterReset(refused ? .refusedStream : .remoteReset) { return }
            if refused, replayRefusedStream() { return }
        }
        cleanUp(abortUpstream: false)
        let flags: ResponseFlags
        switch reason {
        case .protocolError: flags = .upstreamProtocolError
        case .connectionTermination: flags = .upstreamConnectionTermination
        case .remoteReset, .remoteRefusedStreamReset: flags = .upstreamRemoteReset
        }
        let detail = reason.text.replacingOccurrences(of: " ", with: "_")
        if started {
            s.config.stats.rqResetAfterDownstreamResponseStarted.inc(worker: worker)
            s.resetStream(flags: flags, details: "upstream_reset_after_response_started{\(detail)}")
        } else {
            // As Envoy: an upstream protocol error before the response is a 502 (UPE).
            let status: HTTPResponseStatus = reason == .protocolError ? .badGateway : .serviceUnavailable
            cluster.config.stats.upstreamCodes.record(Int(status.code), worker: worker)
            s.sendLocalReply(status: status,
                             body: "upstream connect error or disconnect/reset before headers. reset reason: \(reason.text)",
                             details: "upstream_reset_before_response_started{\(detail)}",
                             flags: flags, headers: nil)
        }
    }

    func upstreamUpgraded(_ connection: HTTP1UpstreamConnection) {
        guard !done, hasStream else {
            connection.close()
            return
        }
        let s = stream
        let downstream = TunnelHandler()
        let upstreamEnd = TunnelHandler()
        downstream.partner = upstreamEnd
        upstreamEnd.partner = downstream
        upstream = nil
        cleanUp(abortUpstream: false)
        s.completeForUpgrade()
        guard s.codec.switchToTunnel(downstream), connection.switchToTunnel(upstreamEnd) else {
            connection.close()
            s.codec.resetStream()
            return
        }
    }

    func upstreamReadComplete() {
        guard !done else { return }
        stream.codec.flush()
    }

    func upstreamWritabilityChanged(_ writable: Bool) {
        guard !done else { return }
        // The upstream cannot take more request body: stop reading the downstream until it can.
        if writable != !downstreamReadsDisabled {
            downstreamReadsDisabled = !writable
            stream.setDecoderReadDisabled(!writable)
        }
    }
}
