package import NIOCore
internal import TernCore
internal import NIOHTTP2
internal import NIOHPACK

extension HTTP2Codec {
    /// The largest frame this side accepts: SETTINGS_MAX_FRAME_SIZE, left at its default.
    static let maxInboundFrameSize = 16_384

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        clock?.enter()
        defer { clock?.leave() }
        var bytes = unwrapInboundIn(data)
        if var pending = inbound {
            inbound = nil
            pending.writeImmutableBuffer(bytes)
            bytes = pending
        }
        if prefaceMatched < HTTP2Preface.bytes.count {
            guard matchPreface(&bytes) else { return }
        }
        while let header = HTTP2FrameHeader.peek(bytes) {
            if header.length > Self.maxInboundFrameSize {
                connectionError(.frameSizeError, "frame of \(header.length) bytes")
                return
            }
            guard bytes.readableBytes >= HTTP2FrameHeader.size + header.length else { break }
            bytes.moveReaderIndex(forwardBy: HTTP2FrameHeader.size)
            let payload = bytes.readSlice(length: header.length)!
            receive(header, payload)
            if failed { return }
        }
        if bytes.readableBytes > 0 { inbound = bytes }
    }

    package func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
    }

    /// Checks the client preface as it arrives; false while it is incomplete or when it is wrong.
    private func matchPreface(_ bytes: inout ByteBuffer) -> Bool {
        let preface = HTTP2Preface.bytes
        while prefaceMatched < preface.count, let byte = bytes.readInteger(as: UInt8.self) {
            guard byte == preface[prefaceMatched] else {
                connectionError(.protocolError, "not the HTTP/2 client preface")
                return false
            }
            prefaceMatched += 1
        }
        return prefaceMatched == preface.count
    }

    // MARK: - dispatch

    private func receive(_ header: HTTP2FrameHeader, _ payload: ByteBuffer) {
        if let pending = block, header.type != HTTP2FrameType.continuation || header.streamID != pending.streamID {
            return connectionError(.protocolError, "a header block was interrupted")
        }
        if !sawPeerSettings, header.type != HTTP2FrameType.settings || header.has(HTTP2FrameFlags.ack) {
            return connectionError(.protocolError, "the first frame was not SETTINGS")
        }
        switch header.type {
        case HTTP2FrameType.data: receiveData(header, payload)
        case HTTP2FrameType.headers: receiveHeaders(header, payload)
        case HTTP2FrameType.priority: receivePriority(header, payload)
        case HTTP2FrameType.rstStream: receiveReset(header, payload)
        case HTTP2FrameType.settings: receiveSettings(header, payload)
        case HTTP2FrameType.pushPromise: connectionError(.protocolError, "PUSH_PROMISE (push is not accepted)")
        case HTTP2FrameType.ping: receivePing(header, payload)
        case HTTP2FrameType.goAway: receiveGoAway(header, payload)
        case HTTP2FrameType.windowUpdate: receiveWindowUpdate(header, payload)
        case HTTP2FrameType.continuation: receiveContinuation(header, payload)
        default: break  // unknown types are ignored (RFC 9113 §4.1)
        }
    }

    /// Where a stream id stands for a frame from the peer.
    enum StreamLookup {
        case open(HTTP2StreamState)
        case idle
        case closed(HTTP2ClosedStreams.How?)
    }

    func lookup(_ id: UInt32) -> StreamLookup {
        if let s = streams[HTTP2StreamID(Int32(id))] { return .open(s) }
        if id > (peerOpens(id) ? highestPeerStream : highestLocalStream) { return .idle }
        return .closed(closedStreams.lookup(id))
    }

    /// Strips the padding of a DATA or HEADERS payload; false (after the connection error)
    /// when the padding is longer than the frame (RFC 9113 §6.1).
    private func unpad(_ header: HTTP2FrameHeader, _ payload: inout ByteBuffer) -> Bool {
        guard header.has(HTTP2FrameFlags.padded) else { return true }
        guard let padding = payload.readInteger(as: UInt8.self), Int(padding) <= payload.readableBytes else {
            connectionError(.protocolError, "padding longer than the frame")
            return false
        }
        payload = payload.getSlice(at: payload.readerIndex, length: payload.readableBytes - Int(padding))!
        return true
    }

    // MARK: - DATA

    private func receiveData(_ header: HTTP2FrameHeader, _ frame: ByteBuffer) {
        let id = header.streamID
        guard id != 0 else { return connectionError(.protocolError, "DATA on stream 0") }
        var payload = frame
        guard unpad(header, &payload) else { return }
        // Every DATA frame counts against the connection window, whatever its stream's state.
        let length = header.length
        connectionReceiveWindow -= length
        guard connectionReceiveWindow >= 0 else {
            return connectionError(.flowControlError, "DATA beyond the connection window")
        }
        switch lookup(id) {
        case .idle:
            connectionError(.protocolError, "DATA on an idle stream")
        case .closed(let how):
            windowConsumed(length)
            if let how, how != .resetLocally { connectionError(.streamClosed, "DATA on a closed stream") }
        case .open(let s):
            guard s.remoteOpen else {
                windowConsumed(length)
                return streamError(id, .streamClosed)
            }
            s.receiveWindow -= length
            guard s.receiveWindow >= 0 else {
                windowConsumed(length)
                return streamError(id, .flowControlError)
            }
            let endStream = header.has(HTTP2FrameFlags.endStream)
            if endStream { s.remoteOpen = false }
            delegate?.http2Data(HTTP2StreamID(Int32(id)), payload, endStream: endStream, flowControlledLength: length)
            windowConsumed(length)
            if endStream { closeIfDone(s) }
        }
    }

    private func windowConsumed(_ length: Int) {
        if length > 0 { delegate?.http2ConnectionWindowConsumed(remaining: connectionReceiveWindow) }
    }

    // MARK: - HEADERS and CONTINUATION

    private func receiveHeaders(_ header: HTTP2FrameHeader, _ frame: ByteBuffer) {
        let id = header.streamID
        guard id != 0 else { return connectionError(.protocolError, "HEADERS on stream 0") }
        var payload = frame
        guard unpad(header, &payload) else { return }
        var selfDependent = false
        if header.has(HTTP2FrameFlags.priority) {
            guard let dependency = payload.readInteger(as: UInt32.self), payload.readInteger(as: UInt8.self) != nil else {
                return connectionError(.frameSizeError, "HEADERS too short for its priority")
            }
            selfDependent = dependency & 0x7FFF_FFFF == id
        }
        let endStream = header.has(HTTP2FrameFlags.endStream)
        if header.has(HTTP2FrameFlags.endHeaders) {
            headerBlock(id, &payload, endStream: endStream, selfDependent: selfDependent)
        } else {
            block = PendingBlock(streamID: id, fragments: payload, endStream: endStream, selfDependent: selfDependent)
        }
    }

    private func receiveContinuation(_ header: HTTP2FrameHeader, _ payload: ByteBuffer) {
        guard var pending = block else { return connectionError(.protocolError, "CONTINUATION without a header block") }
        block = nil
        pending.continuations += 1
        pending.fragments.writeImmutableBuffer(payload)
        // A block longer than the header list limit cannot decode under it: HPACK's smallest
        // representation of a field is shorter than the field's 32-byte overhead.
        guard pending.continuations <= config.maxContinuationFrames,
              pending.fragments.readableBytes <= config.headerListLimit else {
            return connectionError(.enhanceYourCalm, "a header block too long or in too many frames")
        }
        if header.has(HTTP2FrameFlags.endHeaders) {
            headerBlock(pending.streamID, &pending.fragments, endStream: pending.endStream, selfDependent: pending.selfDependent)
        } else {
            block = pending
        }
    }

    /// A whole header block: always decoded (HPACK's state is the connection's), then judged
    /// by the stream's state.
    private func headerBlock(_ id: UInt32, _ bytes: inout ByteBuffer, endStream: Bool, selfDependent: Bool) {
        let fields: HTTP2Fields
        do {
            switch try decoder.decode(&bytes, maxHeaderListSize: config.headerListLimit) {
            case .headers(let decoded): fields = decoded
            case .tooLarge: return connectionError(.compressionError, "header list larger than SETTINGS_MAX_HEADER_LIST_SIZE")
            }
        } catch {
            return connectionError(.compressionError, "HPACK: \(error.reason)")
        }
        switch lookup(id) {
        case .idle:
            guard isServer, peerOpens(id) else { return connectionError(.protocolError, "HEADERS opening a stream this side owns") }
            openPeerStream(id, fields, endStream: endStream, selfDependent: selfDependent)
        case .closed(let how):
            // A stream id below one already used, never opened: RFC 9113 §5.1.1.
            guard let how else { return connectionError(.protocolError, "HEADERS on a stream id already passed") }
            if how != .resetLocally { connectionError(.streamClosed, "HEADERS on a closed stream") }
        case .open(let s):
            guard s.remoteOpen else { return streamError(id, .streamClosed) }
            if selfDependent { return streamError(id, .protocolError) }
            if !isServer, !s.receivedHeaders, Self.isInformational(fields) {
                // A 1xx head: the final one is still to come.
            } else if s.receivedHeaders, !endStream {
                // Trailers end the stream (RFC 9113 §8.1).
                return streamError(id, .protocolError)
            } else {
                s.receivedHeaders = true
            }
            if endStream { s.remoteOpen = false }
            delegate?.http2Headers(HTTP2StreamID(Int32(id)), fields, endStream: endStream)
            if endStream { closeIfDone(s) }
        }
    }

    private func openPeerStream(_ id: UInt32, _ fields: HTTP2Fields, endStream: Bool, selfDependent: Bool) {
        highestPeerStream = id
        if let last = goAwaySent, id > last {
            // After GOAWAY, new streams are ignored (RFC 9113 §6.8).
            closedStreams.add(id, .resetLocally)
            return
        }
        if selfDependent { return streamError(id, .protocolError) }
        if let max = config.maxConcurrentStreams, peerOpenStreams >= max { return streamError(id, .refusedStream) }
        let s = HTTP2StreamState(id: id, sendWindow: peerInitialWindow, receiveWindow: localInitialWindow)
        s.receivedHeaders = true
        if endStream { s.remoteOpen = false }
        streams[HTTP2StreamID(Int32(id))] = s
        peerOpenStreams += 1
        delegate?.http2Headers(HTTP2StreamID(Int32(id)), fields, endStream: endStream)
    }

    static func isInformational(_ fields: HTTP2Fields) -> Bool {
        guard let first = fields.first, first.name == ":status" else { return false }
        return first.value.utf8.first == UInt8(ascii: "1")
    }

    // MARK: - PRIORITY, RST_STREAM

    private func receivePriority(_ header: HTTP2FrameHeader, _ frame: ByteBuffer) {
        let id = header.streamID
        guard id != 0 else { return connectionError(.protocolError, "PRIORITY on stream 0") }
        guard header.length == 5 else { return streamError(id, .frameSizeError) }
        var payload = frame
        let dependency = payload.readInteger(as: UInt32.self)! & 0x7FFF_FFFF
        if dependency == id { streamError(id, .protocolError) }
        // Otherwise ignored: RFC 9113 deprecates the priority scheme.
    }

    private func receiveReset(_ header: HTTP2FrameHeader, _ frame: ByteBuffer) {
        let id = header.streamID
        guard id != 0 else { return connectionError(.protocolError, "RST_STREAM on stream 0") }
        guard header.length == 4 else { return connectionError(.frameSizeError, "RST_STREAM of \(header.length) bytes") }
        guard withinResetBudget() else { return connectionError(.enhanceYourCalm, "too many RST_STREAM frames") }
        var payload = frame
        let code = HTTP2ErrorCode(networkCode: Int(payload.readInteger(as: UInt32.self)!))
        switch lookup(id) {
        case .idle:
            connectionError(.protocolError, "RST_STREAM on an idle stream")
        case .closed:
            break
        case .open(let s):
            delegate?.http2Reset(HTTP2StreamID(Int32(id)), code)
            close(s, .resetByPeer, reason: code)
        }
    }

    /// A token bucket of `maxResetFrames`, refilled over `resetWindowSeconds` (nghttp2's rule).
    private func withinResetBudget() -> Bool {
        guard let max = config.maxResetFrames else { return true }
        let now = clock?.now ?? .now()
        let elapsed = Double((now - resetRefilledAt).nanoseconds) / 1e9
        resetRefilledAt = now
        resetTokens = min(Double(max), resetTokens + elapsed * Double(max) / Double(config.resetWindowSeconds))
        guard resetTokens >= 1 else { return false }
        resetTokens -= 1
        return true
    }
}
