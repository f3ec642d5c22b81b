package import NIOCore
package import TernCore
internal import NIOHTTP2
internal import NIOHPACK

/// Tern's HTTP/2 connection codec (RFC 9113), for either side of a connection: it frames bytes,
/// keeps HPACK state, stream states and both directions' flow-control windows, answers SETTINGS
/// and PING, and holds DATA the peer has no window for. Frames that pass its checks go to its
/// `delegate` (the connection's owner) by direct call; the owner writes frames with `write` and
/// sends them with `flush`. A peer's protocol error ends its stream (RST_STREAM) or the
/// connection (GOAWAY, then close), as RFC 9113 §5.4 says.
///
/// It replaces NIOHTTP2's handler on Tern's data path: that one copies its whole state machine on
/// every frame, which cost more CPU per proxied request than the rest of Tern's HTTP/2 path.
/// Confined to the channel's event loop; the output of one event-loop tick leaves in one write.
package final class HTTP2Codec: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = ByteBuffer
    package typealias OutboundOut = IOData

    let config: HTTP2CodecConfiguration
    /// Strong until the channel goes (the owner holds the codec too).
    package var delegate: (any HTTP2CodecDelegate)?
    /// The worker's clock, cached across each read (see `LoopClock`); nil reads the system's.
    package var clock: LoopClock?
    var context: ChannelHandlerContext?
    /// The channel's allocator, taken once: `context.channel` costs reference counting on
    /// every read.
    var allocator = ByteBufferAllocator()

    // MARK: inbound state
    /// Bytes of a frame not yet complete.
    var inbound: ByteBuffer?
    /// Client preface bytes still expected (a server's first read).
    var prefaceMatched: Int
    var sawPeerSettings = false
    /// A header block waiting for its CONTINUATION frames.
    var block: PendingBlock?
    var decoder = HPACKDecoder()
    var encoder = HPACKEncoder()
    /// A connection error ended everything: nothing more is read or written.
    var failed = false

    struct PendingBlock {
        var streamID: UInt32
        var fragments: ByteBuffer
        var endStream: Bool
        var selfDependent: Bool
        var continuations = 0
    }

    // MARK: streams
    var streams = HTTP2StreamStates()
    var closedStreams = HTTP2ClosedStreams()
    /// The highest stream id the peer opened, and the highest this side opened.
    var highestPeerStream: UInt32 = 0
    var highestLocalStream: UInt32 = 0
    /// Peer-opened streams still open, against SETTINGS_MAX_CONCURRENT_STREAMS.
    var peerOpenStreams = 0
    var goAwaySent: UInt32?
    var goAwayReceived: UInt32?

    // MARK: settings and windows
    var peerInitialWindow = 65_535
    var peerMaxFrameSize = 16_384
    /// The receive window new streams get: the protocol's 65535 until the peer acknowledged
    /// this side's SETTINGS, then `initialWindowSize` (RFC 9113 §6.9.2).
    var localInitialWindow = 65_535
    var localSettingsAcked = false
    var connectionSendWindow = 65_535
    var connectionReceiveWindow = 65_535
    /// Streams with DATA queued for connection window.
    var waitingForConnectionWindow: [HTTP2StreamState] = []
    /// Rapid-reset budget: RST_STREAM frames the peer may still send, refilled over time.
    var resetTokens: Double
    var resetRefilledAt = NIODeadline.now()

    // MARK: output
    /// Frames written since the last write to the channel; they leave together.
    var out = ByteBuffer()
    /// A header block's encoding, before it is cut into frames.
    var blockScratch = ByteBuffer()
    var flushPending = false

    package init(configuration: HTTP2CodecConfiguration) {
        self.config = configuration
        self.prefaceMatched = configuration.role == .server ? 0 : HTTP2Preface.bytes.count
        self.resetTokens = Double(configuration.maxResetFrames ?? 0)
    }

    var isServer: Bool { config.role == .server }

    /// Whether the peer opens stream `id` (odd ids are clients').
    func peerOpens(_ id: UInt32) -> Bool { (id & 1 == 1) == isServer }

    // MARK: - channel lifecycle

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        allocator = context.channel.allocator
        out = allocator.buffer(capacity: 4096)
        blockScratch = allocator.buffer(capacity: 1024)
        if context.channel.isActive { start() }
    }

    package func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
    }

    private var started = false

    /// A client's preface, and either side's SETTINGS: the first bytes each side sends.
    private func start() {
        guard !started, context != nil else { return }
        started = true
        if !isServer { out.writeBytes(HTTP2Preface.bytes) }
        var settings: [(UInt16, UInt32)] = []
        if config.disablePush { settings.append((0x2, 0)) }
        if let max = config.maxConcurrentStreams { settings.append((0x3, UInt32(clamping: max))) }
        if config.initialWindowSize != 65_535 { settings.append((0x4, UInt32(clamping: config.initialWindowSize))) }
        if let max = config.maxHeaderListSize { settings.append((0x6, UInt32(clamping: max))) }
        HTTP2FrameHeader(length: 6 * settings.count, type: HTTP2FrameType.settings, flags: 0, streamID: 0).write(into: &out)
        for (id, value) in settings { out.writeMultipleIntegers(id, value) }
        flush()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        failed = true
        for s in streams.all where s.hasQueue { s.dropQueue(ChannelError.ioOnClosedChannel) }
        waitingForConnectionWindow.removeAll()
        context.fireChannelInactive()
        delegate = nil
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        delegate = nil
    }

    // MARK: - errors

    /// A connection error: GOAWAY with `code` naming the last stream the peer opened, then the
    /// close; the pipeline hears the error.
    func connectionError(_ code: HTTP2ErrorCode, _ reason: String) {
        guard !failed, let context else { return }
        failed = true
        writeGoAwayFrame(lastStreamID: highestPeerStream, code: code)
        flush()
        context.fireErrorCaught(HTTP2ConnectionError(code, reason))
        context.close(promise: nil)
    }

    /// A stream error: RST_STREAM with `code`; a stream still open closes.
    func streamError(_ id: UInt32, _ code: HTTP2ErrorCode) {
        writeResetFrame(id, code)
        requestFlush()
        if let s = streams[HTTP2StreamID(Int32(id))] {
            delegate?.http2StreamFailed(HTTP2StreamID(Int32(id)), .protocolViolation(code))
            close(s, .resetLocally, reason: code)
        } else {
            closedStreams.add(id, .resetLocally)
        }
    }

    /// Takes `s` out of the table and tells the owner.
    func close(_ s: HTTP2StreamState, _ how: HTTP2ClosedStreams.How, reason: HTTP2ErrorCode?) {
        let id = HTTP2StreamID(Int32(s.id))
        guard streams.removeValue(forKey: id) != nil else { return }
        s.localOpen = false
        s.remoteOpen = false
        if s.hasQueue { s.dropQueue(HTTP2StreamFailure.streamClosed(reason)) }
        if peerOpens(s.id) { peerOpenStreams -= 1 }
        closedStreams.add(s.id, how)
        delegate?.http2StreamClosed(id, reason: reason)
    }

    /// Closes `s` once both sides have ended it.
    func closeIfDone(_ s: HTTP2StreamState) {
        if !s.localOpen, !s.remoteOpen { close(s, .ended, reason: nil) }
    }

    /// The codec's own frames (ACKs, resets) go out at the end of this event-loop tick, with
    /// whatever the owner writes meanwhile.
    func requestFlush() {
        guard !flushPending, let context else { return }
        flushPending = true
        context.eventLoop.assumeIsolatedUnsafeUnchecked().execute { [self] in
            if flushPending { flush() }
        }
    }
}
