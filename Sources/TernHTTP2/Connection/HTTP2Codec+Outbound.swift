package import NIOCore
package import NIOHTTP2
package import NIOHPACK

extension HTTP2Codec {
    /// DATA payloads up to this size are copied into the output buffer; larger ones are written
    /// as they are, after their frame header.
    static let copiedPayloadLimit = 2048

    // The owner's frames. One that cannot be sent fails its promise (and a stream's tells the
    // delegate); DATA beyond the windows waits in the stream's queue. All go out with `flush`.

    /// HEADERS (and CONTINUATIONs) for `id`; a new id opens a stream this side owns.
    package func writeHeaders(_ id: HTTP2StreamID, _ fields: HPACKHeaders, endStream: Bool, promise: EventLoopPromise<Void>? = nil) {
        guard usable(promise) else { return }
        writeHeaders(UInt32(Int32(id)), fields, endStream: endStream, promise: promise)
    }

    /// HEADERS whose fields `fields` hands to the sink's `append` one by one (`HTTP2FieldSink`):
    /// encoded as they come, with no `HPACKHeaders` built, unless the block has to wait behind
    /// DATA (then they are collected, to be encoded when it goes: HPACK's state follows the
    /// order blocks are sent in).
    package func writeHeaders(_ id: HTTP2StreamID, endStream: Bool, fields: (inout HTTP2FieldSink) -> Void) {
        guard usable(nil) else { return }
        let raw = UInt32(Int32(id))
        if let s = streams[id] ?? openLocalStream(raw), s.localOpen, !s.hasQueue {
            blockScratch.clear()
            encoder.beginBlock(into: &blockScratch)
            var sink = HTTP2FieldSink(codec: self)
            fields(&sink)
            emitEncodedHeaders(s, endStream: endStream, promise: nil)
            return
        }
        var sink = HTTP2FieldSink(codec: nil)
        fields(&sink)
        writeHeaders(raw, sink.collected, endStream: endStream, promise: nil)
    }

    package func writeData(_ id: HTTP2StreamID, _ data: ByteBuffer, endStream: Bool, promise: EventLoopPromise<Void>? = nil) {
        guard usable(promise) else { return }
        writeData(UInt32(Int32(id)), data, endStream: endStream, promise: promise)
    }

    /// RST_STREAM: the stream closes (`http2StreamClosed` follows at once).
    package func writeReset(_ id: HTTP2StreamID, _ code: HTTP2ErrorCode) {
        guard usable(nil) else { return }
        writeReset(UInt32(Int32(id)), code)
    }

    /// WINDOW_UPDATE: `increment` more bytes the peer may send on the stream (0: the connection).
    package func writeWindowUpdate(_ id: HTTP2StreamID, _ increment: Int) {
        guard usable(nil) else { return }
        writeWindowUpdate(UInt32(Int32(id)), increment)
    }

    /// GOAWAY: streams the peer opens above `lastStreamID` from now on are ignored.
    package func writeGoAway(lastStreamID: HTTP2StreamID, _ code: HTTP2ErrorCode, promise: EventLoopPromise<Void>? = nil) {
        guard usable(promise) else { return }
        let last = UInt32(Int32(lastStreamID))
        goAwaySent = min(goAwaySent ?? last, last)
        writeGoAwayFrame(lastStreamID: last, code: code)
        attach(promise)
    }

    private func usable(_ promise: EventLoopPromise<Void>?) -> Bool {
        guard !failed, context != nil else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return false
        }
        return true
    }

    /// Sends everything written so far.
    package func flush() {
        flushPending = false
        guard let context else { return }
        if out.readableBytes > 0 { writeOut(promise: nil) }
        context.flush()
    }

    // MARK: - HEADERS

    private func writeHeaders(_ id: UInt32, _ headers: HPACKHeaders, endStream: Bool, promise: EventLoopPromise<Void>?) {
        let streamID = HTTP2StreamID(Int32(id))
        if let s = streams[streamID] {
            guard s.localOpen else { return refuse(id, .streamClosed(nil), promise) }
            if s.hasQueue {
                // Trailers wait behind the DATA the windows hold.
                s.queue.append(.headers(headers, endStream: endStream, promise: promise))
                return
            }
            emitHeaders(s, headers, endStream: endStream, promise: promise)
            return
        }
        guard !peerOpens(id), id > highestLocalStream else { return refuse(id, .streamClosed(nil), promise) }
        guard let s = openLocalStream(id) else { return refuse(id, .createdAfterGoAway, promise) }
        emitHeaders(s, headers, endStream: endStream, promise: promise)
    }

    /// A stream this side opens with its HEADERS; nil for an id that cannot be one (not
    /// above the last, or the peer's parity) or after the peer's GOAWAY.
    private func openLocalStream(_ id: UInt32) -> HTTP2StreamState? {
        guard !peerOpens(id), id > highestLocalStream, goAwayReceived == nil else { return nil }
        highestLocalStream = id
        let s = HTTP2StreamState(id: id, sendWindow: peerInitialWindow, receiveWindow: localInitialWindow)
        streams[HTTP2StreamID(Int32(id))] = s
        return s
    }

    private func refuse(_ id: UInt32, _ failure: HTTP2StreamFailure, _ promise: EventLoopPromise<Void>?) {
        promise?.fail(failure)
        delegate?.http2StreamFailed(HTTP2StreamID(Int32(id)), failure)
    }

    /// Encodes the block once and cuts it into HEADERS and CONTINUATION frames of at most the
    /// peer's SETTINGS_MAX_FRAME_SIZE.
    private func emitHeaders(_ s: HTTP2StreamState, _ headers: HPACKHeaders, endStream: Bool, promise: EventLoopPromise<Void>?) {
        blockScratch.clear()
        encoder.encode(headers, into: &blockScratch)
        emitEncodedHeaders(s, endStream: endStream, promise: promise)
    }

    /// Frames the block in `blockScratch`.
    private func emitEncodedHeaders(_ s: HTTP2StreamState, endStream: Bool, promise: EventLoopPromise<Void>?) {
        var first = true
        repeat {
            let length = min(blockScratch.readableBytes, peerMaxFrameSize)
            let last = length == blockScratch.readableBytes
            var flags: UInt8 = last ? HTTP2FrameFlags.endHeaders : 0
            if first, endStream { flags |= HTTP2FrameFlags.endStream }
            HTTP2FrameHeader(length: length, type: first ? HTTP2FrameType.headers : HTTP2FrameType.continuation,
                             flags: flags, streamID: s.id).write(into: &out)
            var fragment = blockScratch.readSlice(length: length)!
            out.writeBuffer(&fragment)
            first = false
        } while blockScratch.readableBytes > 0
        attach(promise)
        if endStream {
            s.localOpen = false
            closeIfDone(s)
        }
    }

    // MARK: - DATA

    private func writeData(_ id: UInt32, _ data: ByteBuffer, endStream: Bool, promise: EventLoopPromise<Void>?) {
        guard let s = streams[HTTP2StreamID(Int32(id))], s.localOpen else {
            return refuse(id, .streamClosed(nil), promise)
        }
        let length = data.readableBytes
        if !s.hasQueue, length <= min(s.sendWindow, connectionSendWindow, peerMaxFrameSize) {
            // The common case: the whole body chunk fits the windows and one frame.
            emitData(s, data, endStream: endStream, promise: promise)
            if length > 0 { delegate?.http2SendWindowChanged(HTTP2StreamID(Int32(id)), window: s.sendWindow) }
            if endStream { closeIfDone(s) }
            return
        }
        s.queue.append(.data(data, endStream: endStream, promise: promise))
        pump(s)
    }

    /// One DATA frame, all of `data`; the windows shrink by its length.
    private func emitData(_ s: HTTP2StreamState, _ data: ByteBuffer, endStream: Bool, promise: EventLoopPromise<Void>?) {
        let length = data.readableBytes
        s.sendWindow -= length
        connectionSendWindow -= length
        HTTP2FrameHeader(length: length, type: HTTP2FrameType.data, flags: endStream ? HTTP2FrameFlags.endStream : 0,
                         streamID: s.id).write(into: &out)
        if length <= Self.copiedPayloadLimit {
            out.writeImmutableBuffer(data)
            attach(promise)
        } else {
            writeOut(promise: nil)
            context?.write(wrapOutboundOut(.byteBuffer(data)), promise: promise)
        }
        if endStream { s.localOpen = false }
    }

    /// Sends what the windows allow of `s`'s queue, in order; what is left waits for a
    /// WINDOW_UPDATE (the stream's, or the connection's: then `s` is listed for it).
    func pump(_ s: HTTP2StreamState) {
        let before = s.sendWindow
        while s.hasQueue {
            switch s.queue[s.queueHead] {
            case .headers(let headers, let endStream, let promise):
                s.queueHead += 1
                emitHeaders(s, headers, endStream: endStream, promise: promise)
            case .data(var data, let endStream, let promise):
                let allowed = min(s.sendWindow, connectionSendWindow, peerMaxFrameSize)
                if data.readableBytes <= max(allowed, 0) {
                    s.queueHead += 1
                    emitData(s, data, endStream: endStream, promise: promise)
                    continue
                }
                guard allowed > 0 else {
                    if connectionSendWindow <= 0, !s.waitingForConnectionWindow {
                        s.waitingForConnectionWindow = true
                        waitingForConnectionWindow.append(s)
                    }
                    return reportSent(s, before)
                }
                let part = data.readSlice(length: allowed)!
                s.queue[s.queueHead] = .data(data, endStream: endStream, promise: promise)
                emitData(s, part, endStream: false, promise: nil)
            }
        }
        s.queue.removeAll()
        s.queueHead = 0
        reportSent(s, before)
        closeIfDone(s)
    }

    private func reportSent(_ s: HTTP2StreamState, _ before: Int) {
        if s.sendWindow != before, streams[HTTP2StreamID(Int32(s.id))] === s {
            delegate?.http2SendWindowChanged(HTTP2StreamID(Int32(s.id)), window: s.sendWindow)
        }
    }

    // MARK: - control frames

    private func writeReset(_ id: UInt32, _ code: HTTP2ErrorCode) {
        guard let s = streams[HTTP2StreamID(Int32(id))] else { return }
        writeResetFrame(id, code)
        close(s, .resetLocally, reason: code)
    }

    func writeResetFrame(_ id: UInt32, _ code: HTTP2ErrorCode) {
        HTTP2FrameHeader(length: 4, type: HTTP2FrameType.rstStream, flags: 0, streamID: id).write(into: &out)
        out.writeInteger(UInt32(code.networkCode))
    }

    /// The owner gives window back: the peer may send that much more.
    private func writeWindowUpdate(_ id: UInt32, _ increment: Int) {
        if id == 0 {
            connectionReceiveWindow += increment
        } else if let s = streams[HTTP2StreamID(Int32(id))], s.remoteOpen {
            s.receiveWindow += increment
        } else {
            return  // the stream is done: no window to give
        }
        HTTP2FrameHeader(length: 4, type: HTTP2FrameType.windowUpdate, flags: 0, streamID: id).write(into: &out)
        out.writeInteger(UInt32(increment))
    }

    func writeGoAwayFrame(lastStreamID: UInt32, code: HTTP2ErrorCode) {
        HTTP2FrameHeader(length: 8, type: HTTP2FrameType.goAway, flags: 0, streamID: 0).write(into: &out)
        out.writeMultipleIntegers(lastStreamID, UInt32(code.networkCode))
    }

    // MARK: - output

    /// A promise completes when the bytes up to its frame are written: they leave now, as one
    /// write, and the next frames start a new buffer.
    private func attach(_ promise: EventLoopPromise<Void>?) {
        if let promise { writeOut(promise: promise) }
    }

    func writeOut(promise: EventLoopPromise<Void>?) {
        guard let context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let bytes = out
        out = allocator.buffer(capacity: max(1024, min(bytes.capacity, 16_384)))
        context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
    }
}
