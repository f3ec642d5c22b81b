import NIOCore
import NIOHTTP1
import TernNetwork

extension ActiveStream {
    /// Encoder filters run in reverse config order; the terminal filter (router) is not one.
    private var encoderCount: Int { filters.count - 1 }

    private func encoderFilter(_ i: Int) -> any HTTPFilter { filters[encoderCount - 1 - i] }

    public func encodeHeaders(_ head: consuming HTTPResponseHead, endStream: Bool) {
        guard !responseStarted, !destroyed else { return }
        responseStarted = true
        // Owned all the way to the codec: the one copy of the headers stays unique, so the
        // edits below change it in place.
        var i = 0
        while i < encoderCount {
            let status = encoderFilter(i).encodeHeaders(&head, endStream: endStream, stream: self)
            i += 1
            if status == .stopIteration {
                responseHead = head
                encodeStoppedAt = i
                if endStream { encodePendingEnd = true }
                return
            }
        }
        sendHeadersToCodec(consume head, endStream: endStream)
    }

    public func encodeData(_ data: ByteBuffer, endStream: Bool) {
        guard responseStarted, !responseComplete, !destroyed else { return }
        if encodeStoppedAt != nil {
            encodePendingBody.append(data)
            if endStream { encodePendingEnd = true }
            return
        }
        var data = data
        for i in 0..<encoderCount {
            switch encoderFilter(i).encodeData(&data, endStream: endStream, stream: self) {
            case .continueIteration: continue
            case .stopIterationAndBuffer:
                encodeStoppedAt = i + 1
                encodePendingBody.append(data)
                if endStream { encodePendingEnd = true }
                return
            case .stopIterationNoBuffer:
                return
            }
        }
        sendBodyToCodec(data, endStream: endStream)
    }

    public func encodeTrailers(_ trailers: HTTPHeaders) {
        guard responseStarted, !responseComplete, !destroyed else { return }
        if encodeStoppedAt != nil {
            encodePendingTrailers = trailers
            encodePendingEnd = true
            return
        }
        var t = trailers
        for i in 0..<encoderCount where encoderFilter(i).encodeTrailers(&t, stream: self) == .stopIteration {
            encodeStoppedAt = i + 1
            encodePendingTrailers = t
            encodePendingEnd = true
            return
        }
        info.trailers = t
        responseComplete = true
        codec.writeResponseTrailers(t)
        complete()
    }

    public func continueEncoding() {
        guard encodeStoppedAt != nil, !destroyed else { return }
        encodeStoppedAt = nil
        if let head = responseHead, !codecHasHead {
            sendHeadersToCodec(head, endStream: encodePendingEnd && encodePendingBody.isEmpty && encodePendingTrailers == nil)
        }
        let body = encodePendingBody
        encodePendingBody.removeAll()
        for (i, chunk) in body.enumerated() {
            sendBodyToCodec(chunk, endStream: encodePendingEnd && encodePendingTrailers == nil && i == body.count - 1)
        }
        if let t = encodePendingTrailers {
            encodePendingTrailers = nil
            info.trailers = t
            responseComplete = true
            codec.writeResponseTrailers(t)
            complete()
        }
    }

    // MARK: - to the codec

    private var codecHasHead: Bool { info.response != nil }

    private func sendHeadersToCodec(_ head: consuming HTTPResponseHead, endStream: Bool) {
        ResponseHeaderPolicy.apply(&head, stream: self)
        info.response = head
        armIdleTimer()
        if endStream {
            responseComplete = true
            codec.writeResponseHead(head, endStream: true)
            complete()
        } else {
            codec.writeResponseHead(head, endStream: false)
        }
    }

    private func sendBodyToCodec(_ data: ByteBuffer, endStream: Bool) {
        info.bytesSent &+= UInt64(data.readableBytes)
        if endStream {
            responseComplete = true
            codec.writeResponseBody(data, endStream: true)
            complete()
        } else {
            armIdleTimer()
            codec.writeResponseBody(data, endStream: false)
        }
    }

    private func complete() {
        finish()
        codec.streamComplete(self)
    }

    // MARK: - local replies and resets

    public func sendLocalReply(status: HTTPResponseStatus, body: String, details: String, flags: ResponseFlags,
                               headers: HTTPHeaders?, grpcStatus: Int?) {
        guard !responseComplete, !destroyed else { return }
        info.responseFlags.formUnion(flags)
        info.responseCodeDetails = details
        if responseStarted && codecHasHead {
            resetStream(flags: flags, details: details)
            return
        }
        // A local reply replaces whatever the encoder filters were holding.
        responseStarted = false
        encodeStoppedAt = nil
        encodePendingBody.removeAll()
        encodePendingTrailers = nil
        var h = headers ?? HTTPHeaders()
        // While a filter holds the head (decodeHeaders), the stream's record has it.
        let request = requestHead ?? info.request
        let isHead = request?.method == .HEAD
        if let request, GRPCLocalReply.isGRPC(request.headers) {
            // Trailers-only: HTTP 200 and the error in grpc-status/grpc-message (Envoy's
            // %RESPONSE_CODE% and downstream_rq_2xx see the 200 too).
            h = GRPCLocalReply.head(httpStatus: Int(status.code), grpcStatus: grpcStatus, body: body, headers: h,
                                    isHeadRequest: isHead)
            encodeHeaders(HTTPResponseHead(version: downstreamVersion, status: .ok, headers: h), endStream: true)
            return
        }
        let bodyBytes = body.utf8.count
        if bodyBytes > 0 && !h.contains(name: "content-type") { h.add(name: "content-type", value: "text/plain") }
        h.replaceOrAdd(name: "content-length", value: String(bodyBytes))
        let version = downstreamVersion
        let head = HTTPResponseHead(version: version, status: status, headers: h)
        if bodyBytes == 0 || isHead {
            encodeHeaders(head, endStream: true)
        } else {
            encodeHeaders(head, endStream: false)
            encodeData(ByteBuffer(string: body), endStream: true)
        }
    }

    public func resetStream(flags: ResponseFlags, details: String) {
        guard !destroyed else { return }
        info.responseFlags.formUnion(flags)
        if info.responseCodeDetails == nil { info.responseCodeDetails = details }
        config.stats.downstreamRqTxReset.inc(worker: worker.index)
        for f in filters { f.onStreamReset(stream: self) }
        finish()
        codec.resetStream()
    }
}

