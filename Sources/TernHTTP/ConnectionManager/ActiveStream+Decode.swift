import NIOCore
import NIOHTTP1
import TernNetwork

extension ActiveStream {
    // MARK: - request from the codec

    func onRequestHead(_ incoming: consuming HTTPRequestHead, endStream: Bool, scan: HeaderScan) {
        let w = worker.index
        config.stats.downstreamRqTotal.inc(worker: w)
        if incoming.version.major == 2 {
            config.stats.downstreamRqHTTP2Total.inc(worker: w)
        } else {
            config.stats.downstreamRqHTTP1Total.inc(worker: w)
        }
        config.stats.downstreamRqActive.inc(worker: w)
        startTimers()
        downstreamVersion = incoming.version
        // From the headers as they arrived: normalizing appends the peer to x-forwarded-for.
        info.trustedDownstreamRemoteAddress = DownstreamRemoteAddress.resolve(
            incoming.headers, hasXFF: scan.contains(.xForwardedFor), useRemoteAddress: config.useRemoteAddress, xffNumTrustedHops: config.xffNumTrustedHops,
            peer: connection.remoteAddress)
        // Owned from here: a codec that built the head (HTTP/2) hands over the only reference,
        // so normalizing edits it in place.
        var head = consume incoming
        if let rejection = RequestHeaderPolicy.normalize(&head, scan: scan, config: config, connection: connection,
                                                         trustedRemote: info.trustedDownstreamRemoteAddress, codec: codec,
                                                         random: workerState.random, isUpgrade: &isUpgradeRequest) {
            info.request = head
            sendLocalReply(status: rejection.status, body: rejection.body, details: rejection.details,
                           flags: rejection.flags, headers: nil)
            return
        }
        info.request = head
        // Consumed: the local copy would otherwise live through the filters below and make
        // their edits copy the headers (the record's copy is dropped by the router when nothing
        // needs it).
        requestHead = consume head
        requestComplete = endStream
        startMaxStreamDuration()  // before the filters: it may rewrite grpc-timeout, as Envoy does
        runDecodeHeaders(endStream: endStream)
    }

    func onRequestBody(_ data: ByteBuffer) {
        guard !responseComplete else { return }
        armIdleTimer()
        info.bytesReceived &+= UInt64(data.readableBytes)
        if decodeStopped {
            pendingBody.append(data)
            pendingBodyBytes += data.readableBytes
            // A filter holding the request (a fault delay, an auth check) must not make the
            // stream buffer without bound: past the buffer limit, stop reading the downstream
            // until the filter continues (Envoy's high-watermark read disable).
            if pendingBodyBytes > config.bufferLimitBytes && !readDisabledWhileStopped {
                readDisabledWhileStopped = true
                setDecoderReadDisabled(true)
            }
            return
        }
        runDecodeData(data, endStream: false)
    }

    func onRequestEnd(_ trailers: HTTPHeaders?) {
        guard !responseComplete else { return }
        requestComplete = true
        if decodeStopped {
            pendingEnd = true
            pendingTrailers = trailers
            return
        }
        if let trailers {
            runDecodeTrailers(trailers)
        } else {
            runDecodeData(ByteBuffer(), endStream: true)
        }
    }

    // MARK: - iteration

    func runDecodeHeaders(endStream: Bool) {
        decodeStopped = false
        while decodeHeadersIndex < filters.count, !responseComplete {
            let f = filters[decodeHeadersIndex]
            decodeHeadersIndex += 1
            // The route is matched before the head is lent out; taking the head out of the
            // stream keeps it uniquely referenced, so a filter's edits do not copy the headers.
            _ = route
            var head = requestHead.take()!
            let status = f.decodeHeaders(&head, endStream: endStream, stream: self)
            requestHead = head
            if status == .stopIteration {
                // The terminal filter's stop is final; any other filter resumes with continueDecoding().
                if decodeHeadersIndex < filters.count { decodeStopped = true }
                return
            }
        }
    }

    func runDecodeData(_ data: ByteBuffer, endStream: Bool) {
        var data = data
        for f in filters.prefix(decodeHeadersIndex) where !responseComplete {
            switch f.decodeData(&data, endStream: endStream, stream: self) {
            case .continueIteration: continue
            case .stopIterationAndBuffer:
                pendingBody.append(data)
                if endStream { pendingEnd = true }
                return
            case .stopIterationNoBuffer: return
            }
        }
    }

    func runDecodeTrailers(_ trailers: HTTPHeaders) {
        var t = trailers
        for f in filters.prefix(decodeHeadersIndex) where !responseComplete {
            if f.decodeTrailers(&t, stream: self) == .stopIteration { return }
        }
    }

    public func continueDecoding() {
        guard !responseComplete else { return }
        runDecodeHeaders(endStream: requestComplete && pendingBody.isEmpty && pendingTrailers == nil)
        guard !decodeStopped else { return }
        // Reading resumes before the held body moves on, so the filters after this one (the
        // router's own flow control) may disable it again.
        if readDisabledWhileStopped {
            readDisabledWhileStopped = false
            setDecoderReadDisabled(false)
        }
        let body = pendingBody
        pendingBody.removeAll()
        pendingBodyBytes = 0
        for (i, chunk) in body.enumerated() {
            let last = i == body.count - 1 && pendingEnd && pendingTrailers == nil
            runDecodeData(chunk, endStream: last)
        }
        if pendingEnd {
            pendingEnd = false
            if let t = pendingTrailers {
                pendingTrailers = nil
                runDecodeTrailers(t)
            } else if body.isEmpty {
                runDecodeData(ByteBuffer(), endStream: true)
            }
        }
    }
}
