import NIOCore
import NIOHTTP1
import TernNetwork

extension RouterFilter: UpstreamResponseDelegate {
    func upstreamResponseHead(_ head: HTTPResponseHead) {
        guard !done, let cluster else { return }
        let s = stream!
        s.info.markFirstUpstreamByte()
        let code = Int(head.status.code)
        host?.outlier?.putHTTPStatus(code)
        if code >= 500 {
            host?.stats.rqError.add(1, ordering: .relaxed)
        } else {
            host?.stats.rqSuccess.add(1, ordering: .relaxed)
        }
        // Nothing went downstream yet: a retriable answer is dropped (its connection closed) for another attempt.
        if retries.state != nil, head.status != .switchingProtocols, retryAfterResponse(head) { return }
        responseStarted = true
        cluster.config.stats.upstreamCodes.record(code, worker: worker)
        if head.status == .switchingProtocols, !isUpgrade {
            // A 101 nobody asked for cannot be relayed.
            upstreamConnectionClosed(protocolError: true)
            return
        }
        var head = head
        if !suppressEnvoyHeaders {
            let elapsedMs = (UInt64(NIODeadline.now().uptimeNanoseconds) &- startUptime) / 1_000_000
            head.headers.add(name: "x-envoy-upstream-service-time", value: String(elapsedMs))
        }
        if let target { target.responseMutations.apply(to: &head.headers, stream: s.info) }
        if let route = s.route {
            for m in route.responseMutations { m.apply(to: &head.headers, stream: s.info) }
        }
        s.encodeHeaders(consume head, endStream: false)
    }

    func upstreamResponseBody(_ body: ByteBuffer) {
        guard !done else { return }
        let s = stream!
        s.encodeData(body, endStream: false)
        if !s.downstreamWritable, let upstream {
            // The client reads slower than the upstream writes: stop reading upstream until it catches up.
            upstream.setReadPaused(true)
            s.onDownstreamWritable = { upstream.setReadPaused(false) }
        }
    }

    func upstreamResponseEnd(_ trailers: HTTPHeaders?) {
        guard !done, let cluster else { return }
        let s = stream!
        cluster.config.stats.upstreamRqCompleted.inc(worker: worker)
        upstream = nil
        cleanUp(abortUpstream: false)
        if let trailers, !trailers.isEmpty {
            s.encodeTrailers(trailers)
        } else {
            s.encodeData(ByteBuffer(), endStream: true)
        }
    }

    func upstreamConnectionClosed(protocolError: Bool) {
        guard !done, let cluster else { return }
        let s = stream!
        upstream = nil
        cluster.config.stats.upstreamRqRxReset.inc(worker: worker)
        host?.stats.rqError.add(1, ordering: .relaxed)
        host?.outlier?.putResult(.localOriginConnectFailed)  // as Envoy, for every upstream reset
        let started = responseStarted
        if !started, retryAfterReset(.remoteReset) { return }
        cleanUp(abortUpstream: false)
        let flags: ResponseFlags = protocolError ? .upstreamProtocolError : .upstreamConnectionTermination
        let reason = protocolError ? "protocol error" : "connection termination"
        if started {
            s.config.stats.rqResetAfterDownstreamResponseStarted.inc(worker: worker)
            s.resetStream(flags: flags, details: "upstream_reset_after_response_started{\(reason.replacingOccurrences(of: " ", with: "_"))}")
        } else {
            cluster.config.stats.upstreamCodes.record(503, worker: worker)
            s.sendLocalReply(status: .serviceUnavailable,
                             body: "upstream connect error or disconnect/reset before headers. reset reason: \(reason)",
                             details: "upstream_reset_before_response_started{\(reason.replacingOccurrences(of: " ", with: "_"))}",
                             flags: flags, headers: nil)
        }
    }

    func upstreamUpgraded(_ connection: HTTP1UpstreamConnection) {
        guard !done, let s = stream else {
            connection.close()
            return
        }
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
