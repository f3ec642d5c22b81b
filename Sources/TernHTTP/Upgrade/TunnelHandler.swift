import NIOCore

/// One end of an upgraded (WebSocket) connection after `101 Switching Protocols`: bytes read
/// here are written to the partner, reading pauses while the partner cannot take more, a
/// half-close is passed on, and either side closing closes the other.
final class TunnelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var partner: TunnelHandler?
    private var context: ChannelHandlerContext?
    private var readHeld = false
    private var closed = false
    /// Runs once when this side's channel closes (stats, pool accounting).
    var onClose: (() -> Void)?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    // The context holds this handler and this handler its context: NIO unlinks a removed
    // context from the pipeline but cannot break that cycle, so without this every closed
    // connection would stay in memory.
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.send(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    /// Bytes for the partner that arrived before this end took its connection over.
    private var early: ByteBuffer?

    /// Bytes this side read before it became a tunnel (sent right behind the upgrade request,
    /// or right after the 101), for the partner; kept until the partner has its connection.
    func forward(_ buffer: ByteBuffer) {
        guard let partner else { return }
        partner.send(buffer)
        partner.context?.flush()
    }

    private func send(_ buffer: ByteBuffer) {
        guard !closed else { return }
        guard let context else {
            if early == nil { early = buffer } else { early!.writeImmutableBuffer(buffer) }
            return
        }
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func read(context: ChannelHandlerContext) {
        if let partner, !partner.isWritable {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeRead() }
        context.fireChannelWritabilityChanged()
    }

    private func resumeRead() {
        guard readHeld, let context else { return }
        readHeld = false
        context.read()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed {
            partner?.context?.flush()
            partner?.context?.close(mode: .output, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        onClose?()
        onClose = nil
        if let partner {
            self.partner = nil
            partner.partner = nil
            partner.context?.flush()
            partner.context?.close(promise: nil)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

extension TunnelHandler {
    /// Puts this tunnel end in place of an HTTP pipeline: `http` (the handler whose context is
    /// given) and its decoder and encoder handlers, if it has them, go; the tunnel stays. Order
    /// matters: the HTTP handler goes before a decoder, so the bytes the decoder held back (sent
    /// right after the upgrade) reach the tunnel rather than an HTTP handler. Tern's own HTTP/1.1
    /// handlers parse in place and hand their leftover bytes to `forward` instead; bytes the
    /// partner forwarded before this end was in place go out now.
    func takeOver(
        from http: ChannelHandlerContext, decoder: (any (ChannelHandler & RemovableChannelHandler).Type)? = nil,
        encoder: (any (ChannelHandler & RemovableChannelHandler).Type)? = nil
    ) -> Bool {
        let sync = http.pipeline.syncOperations
        do {
            try sync.addHandler(self)
            sync.removeHandler(context: http, promise: nil)
            if let decoder { sync.removeHandler(context: try sync.context(handlerType: decoder), promise: nil) }
            if let encoder {
                sync.removeHandler(context: try sync.context(handlerType: encoder), promise: nil)
            }
        } catch {
            http.close(promise: nil)
            return false
        }
        if let early, let context {
            self.early = nil
            context.writeAndFlush(wrapOutboundOut(early), promise: nil)
        }
        http.channel.read()
        return true
    }
}
