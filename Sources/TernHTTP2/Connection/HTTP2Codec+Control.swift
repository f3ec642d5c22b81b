internal import NIOCore
internal import NIOHTTP2

extension HTTP2Codec {
    static let maxWindow = Int(Int32.max)

    // MARK: - SETTINGS

    func receiveSettings(_ header: HTTP2FrameHeader, _ frame: ByteBuffer) {
        guard header.streamID == 0 else { return connectionError(.protocolError, "SETTINGS on a stream") }
        if header.has(HTTP2FrameFlags.ack) {
            guard header.length == 0 else { return connectionError(.frameSizeError, "SETTINGS ACK with a payload") }
            settingsAcknowledged()
            return
        }
        guard header.length % 6 == 0 else { return connectionError(.frameSizeError, "SETTINGS of \(header.length) bytes") }
        var payload = frame
        var received: [HTTP2Setting] = []
        var windowDelta = 0
        while let (id, value) = payload.readMultipleIntegers(as: (UInt16, UInt32).self) {
            switch id {
            case 0x1:
                // This side's table never grows past the default, whatever the peer allows.
                encoder.setMaxDynamicTableSize(min(Int(value), 4096))
                received.append(HTTP2Setting(parameter: .headerTableSize, value: Int(value)))
            case 0x2:
                guard value <= 1 else { return connectionError(.protocolError, "SETTINGS_ENABLE_PUSH \(value)") }
                received.append(HTTP2Setting(parameter: .enablePush, value: Int(value)))
            case 0x3:
                received.append(HTTP2Setting(parameter: .maxConcurrentStreams, value: Int(value)))
            case 0x4:
                guard Int(value) <= Self.maxWindow else {
                    return connectionError(.flowControlError, "SETTINGS_INITIAL_WINDOW_SIZE \(value)")
                }
                windowDelta += Int(value) - peerInitialWindow
                peerInitialWindow = Int(value)
                received.append(HTTP2Setting(parameter: .initialWindowSize, value: Int(value)))
            case 0x5:
                guard value >= 16_384, value <= 16_777_215 else {
                    return connectionError(.protocolError, "SETTINGS_MAX_FRAME_SIZE \(value)")
                }
                peerMaxFrameSize = Int(value)
                received.append(HTTP2Setting(parameter: .maxFrameSize, value: Int(value)))
            case 0x6:
                received.append(HTTP2Setting(parameter: .maxHeaderListSize, value: Int(value)))
            default:
                break  // unknown settings are ignored (RFC 9113 §6.5.2)
            }
        }
        if windowDelta != 0 {
            // Every open stream's send window moves with the setting (RFC 9113 §6.9.2).
            for s in streams.all {
                s.sendWindow += windowDelta
                guard s.sendWindow <= Self.maxWindow else {
                    return connectionError(.flowControlError, "SETTINGS_INITIAL_WINDOW_SIZE overflowed a stream window")
                }
            }
        }
        HTTP2FrameHeader(length: 0, type: HTTP2FrameType.settings, flags: HTTP2FrameFlags.ack, streamID: 0).write(into: &out)
        requestFlush()
        sawPeerSettings = true
        delegate?.http2Settings(received)
        if windowDelta != 0 {
            delegate?.http2InitialSendWindowChanged(by: windowDelta)
            if windowDelta > 0 {
                for s in streams.all where s.hasQueue { pump(s) }
                requestFlush()
            }
        }
    }

    /// The peer took this side's SETTINGS: streams' receive windows are the configured ones now.
    private func settingsAcknowledged() {
        guard !localSettingsAcked else { return }
        localSettingsAcked = true
        let delta = config.initialWindowSize - localInitialWindow
        localInitialWindow = config.initialWindowSize
        if delta != 0 {
            for s in streams.all { s.receiveWindow += delta }
        }
    }

    // MARK: - PING, GOAWAY

    func receivePing(_ header: HTTP2FrameHeader, _ payload: ByteBuffer) {
        guard header.streamID == 0 else { return connectionError(.protocolError, "PING on a stream") }
        guard header.length == 8 else { return connectionError(.frameSizeError, "PING of \(header.length) bytes") }
        guard !header.has(HTTP2FrameFlags.ack) else { return }
        HTTP2FrameHeader(length: 8, type: HTTP2FrameType.ping, flags: HTTP2FrameFlags.ack, streamID: 0).write(into: &out)
        out.writeImmutableBuffer(payload)
        requestFlush()
    }

    func receiveGoAway(_ header: HTTP2FrameHeader, _ frame: ByteBuffer) {
        guard header.streamID == 0 else { return connectionError(.protocolError, "GOAWAY on a stream") }
        guard header.length >= 8 else { return connectionError(.frameSizeError, "GOAWAY of \(header.length) bytes") }
        var payload = frame
        let (rawLast, rawCode) = payload.readMultipleIntegers(as: (UInt32, UInt32).self)!
        let last = rawLast & 0x7FFF_FFFF
        goAwayReceived = min(goAwayReceived ?? last, last)
        delegate?.http2GoAway(lastStreamID: HTTP2StreamID(Int32(last)), HTTP2ErrorCode(networkCode: Int(rawCode)))
        // Streams this side opened above `last` were never processed: they may be retried.
        for s in streams.all where !peerOpens(s.id) && s.id > last {
            close(s, .resetByPeer, reason: .refusedStream)
        }
    }

    // MARK: - WINDOW_UPDATE

    func receiveWindowUpdate(_ header: HTTP2FrameHeader, _ frame: ByteBuffer) {
        guard header.length == 4 else { return connectionError(.frameSizeError, "WINDOW_UPDATE of \(header.length) bytes") }
        var payload = frame
        let increment = Int(payload.readInteger(as: UInt32.self)! & 0x7FFF_FFFF)
        let id = header.streamID
        if id == 0 {
            guard increment > 0 else { return connectionError(.protocolError, "WINDOW_UPDATE of 0 for the connection") }
            connectionSendWindow += increment
            guard connectionSendWindow <= Self.maxWindow else {
                return connectionError(.flowControlError, "connection window past 2^31-1")
            }
            connectionWindowOpened()
            return
        }
        switch lookup(id) {
        case .idle:
            connectionError(.protocolError, "WINDOW_UPDATE on an idle stream")
        case .closed:
            break
        case .open(let s):
            guard increment > 0 else { return streamError(id, .protocolError) }
            s.sendWindow += increment
            guard s.sendWindow <= Self.maxWindow else { return streamError(id, .flowControlError) }
            // The larger window first, then what it lets out (which reports the window again):
            // the owner counts bytes sent from the window shrinking.
            delegate?.http2SendWindowChanged(HTTP2StreamID(Int32(id)), window: s.sendWindow)
            if s.hasQueue, streams[HTTP2StreamID(Int32(id))] === s {
                pump(s)
                requestFlush()
            }
        }
    }

    /// The connection window grew: streams waiting for it send, oldest first.
    private func connectionWindowOpened() {
        guard !waitingForConnectionWindow.isEmpty else { return }
        let waiting = waitingForConnectionWindow
        waitingForConnectionWindow.removeAll()
        for s in waiting {
            s.waitingForConnectionWindow = false
            if s.hasQueue, streams[HTTP2StreamID(Int32(s.id))] === s { pump(s) }
        }
        requestFlush()
    }
}
