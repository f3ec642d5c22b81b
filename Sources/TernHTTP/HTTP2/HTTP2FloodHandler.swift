import NIOCore
import TernCore

/// Envoy's HTTP/2 flood limits on one downstream connection. It sits between the socket and
/// the HTTP/2 codec and only looks at frame headers: inbound, the empty-frame, PRIORITY and
/// WINDOW_UPDATE limits are checked before the codec sees the frame; outbound, every frame written
/// is counted until the socket has taken it, so a client that stops reading while it makes Tern
/// queue PING or SETTINGS ACKs (or responses) is found at `max_outbound_control_frames` /
/// `max_outbound_frames` instead of growing Tern's memory.
///
/// An inbound flood ends the connection with GOAWAY ENHANCE_YOUR_CALM (Envoy 1.40 closes without
/// a GOAWAY); an outbound flood closes it at once without flushing, as Envoy does: the client is
/// not reading, so nothing queued would reach it.
final class HTTP2FloodHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    typealias Violation = HTTP2ProtocolConstraints.Violation

    private var constraints: HTTP2ProtocolConstraints
    private var inbound = HTTP2FrameScanner(skippingPreface: true)
    private var outbound = HTTP2FrameScanner(skippingPreface: false)
    private let stats: HTTP2CodecStats?
    private let worker: Int
    /// Tells the connection a limit was exceeded (it then counts a local close), before the close.
    private let onViolation: (Violation) -> Void
    private var violated = false
    /// The highest stream the client opened, for the GOAWAY.
    private var lastStreamID: UInt32 = 0
    private var context: ChannelHandlerContext?
    /// Frames the codec wrote since the last flush (counted, not yet given a release marker).
    private var unflushedFrames = 0
    private var unflushedControlFrames = 0

    init(limits: HTTP2FloodLimits, stats: HTTP2CodecStats?, worker: Int, onViolation: @escaping (Violation) -> Void) {
        self.constraints = HTTP2ProtocolConstraints(limits: limits)
        self.stats = stats
        self.worker = worker
        self.onViolation = onViolation
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    // MARK: - inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After a violation nothing more from this client is worth parsing.
        guard !violated else { return }
        let bytes = unwrapInboundIn(data)
        var found: Violation?
        var foundEnd = 0
        _ = inbound.scan(bytes) { frame in
            switch frame.type {
            case HTTP2FrameScanner.FrameHeader.headers:
                if frame.streamID > lastStreamID { lastStreamID = frame.streamID }
            case HTTP2FrameScanner.FrameHeader.rstStream:
                stats?.rxReset.inc(worker: worker)
            default:
                break
            }
            found = constraints.trackInbound(frame)
            foundEnd = frame.end
            return found == nil
        }
        if let found {
            // The codec still gets the frames up to the offending one: a protocol error among
            // them (a window overflow, say) then ends the connection with its own, more exact
            // GOAWAY, as an HTTP/2 conformance suite expects.
            if let upTo = bytes.getSlice(at: bytes.readerIndex, length: min(foundEnd, bytes.readableBytes)) {
                context.fireChannelRead(wrapInboundOut(upTo))
                context.fireChannelReadComplete()
            }
            if context.channel.isActive { inboundFlood(found, context: context) }
            return
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard !violated else { return }
        context.fireChannelReadComplete()
    }

    private func inboundFlood(_ violation: Violation, context: ChannelHandlerContext) {
        violated = true
        count(violation)
        onViolation(violation)
        // The GOAWAY goes straight to the socket (not through this handler's count); whatever
        // the socket takes now is sent, the rest is dropped with the close.
        var goAway = context.channel.allocator.buffer(capacity: 17)
        goAway.writeBytes([0, 0, 8, 0x7, 0, 0, 0, 0, 0])
        goAway.writeInteger(lastStreamID)
        goAway.writeInteger(UInt32(0xB))  // ENHANCE_YOUR_CALM
        stats?.goawaySent.inc(worker: worker)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(goAway)), promise: nil)
        context.close(promise: nil)
    }

    // MARK: - outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .byteBuffer(let bytes) = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        var frames = 0
        var controlFrames = 0
        var violation: Violation?
        _ = outbound.scan(bytes) { frame in
            constraints.sent(frame)
            // Every frame the codec writes passes here (it holds back only DATA the client's
            // windows do not allow, which the client bounds itself).
            constraints.queued(frame)
            frames += 1
            if HTTP2ProtocolConstraints.isControl(frame) { controlFrames += 1 }
            // Frame by frame, as Envoy counts: one write may carry thousands of ACKs, and the
            // limit reported is the first one a frame crossed, not the first one checked.
            if violation == nil { violation = constraints.checkOutbound() }
            return true
        }
        // The frames stay counted until the socket takes them (see `flush`).
        unflushedFrames += frames
        unflushedControlFrames += controlFrames
        context.write(data, promise: promise)
        if !violated, let violation {
            outboundFlood(violation, context: context)
        }
    }

    func flush(context: ChannelHandlerContext) {
        context.flush()
        guard unflushedFrames > 0 else { return }
        let frames = unflushedFrames
        let controlFrames = unflushedControlFrames
        unflushedFrames = 0
        unflushedControlFrames = 0
        // Usually the socket took everything during the flush: the batch is released now, at
        // the cost of one look at the channel's buffered byte count.
        if let buffered = try? context.channel.syncOptions?.getOption(.bufferedWritableBytes), buffered == 0 {
            constraints.released(frames: frames, controlFrames: controlFrames)
            return
        }
        // Otherwise one marker behind the batch releases it when the socket has taken the
        // rest (writes complete in order): one promise per held-back flush, not one per write.
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { [self] _ in
            constraints.released(frames: frames, controlFrames: controlFrames)
        }
        context.write(wrapOutboundOut(.byteBuffer(ByteBuffer())), promise: written)
        context.flush()
    }

    private func outboundFlood(_ violation: Violation, context: ChannelHandlerContext) {
        violated = true
        count(violation)
        onViolation(violation)
        // Not from inside the codec's write: it may be in the middle of emitting a batch.
        context.eventLoop.assumeIsolated().execute { context.close(promise: nil) }
    }

    private func count(_ violation: Violation) {
        guard let stats else { return }
        switch violation {
        case .outboundFrames: stats.outboundFlood.inc(worker: worker)
        case .outboundControlFrames: stats.outboundControlFlood.inc(worker: worker)
        case .inboundEmptyFrames: stats.inboundEmptyFramesFlood.inc(worker: worker)
        case .inboundPriorityFrames: stats.inboundPriorityFramesFlood.inc(worker: worker)
        case .inboundWindowUpdateFrames: stats.inboundWindowUpdateFramesFlood.inc(worker: worker)
        }
    }
}
