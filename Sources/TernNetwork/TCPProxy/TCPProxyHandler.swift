import NIOCore

/// The thin NIO face of a `TCPProxyFilter` on one of its two channels (the downstream
/// connection or the upstream one). It forwards events to the filter, which owns all state,
/// and holds back `read()` when the filter says the other side cannot take more bytes.
final class TCPProxyHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let side: TCPProxyFilter.Side
    let filter: TCPProxyFilter

    init(side: TCPProxyFilter.Side, filter: TCPProxyFilter) {
        self.side = side
        self.filter = filter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        filter.attached(self, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        filter.detached(self)
    }

    func channelActive(context: ChannelHandlerContext) {
        filter.active(self, context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        filter.inactive(self)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let clock = filter.clock
        clock.enter()
        defer { clock.leave() }
        filter.received(unwrapInboundIn(data), from: self)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        filter.readComplete(self)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        filter.writabilityChanged(self, writable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            filter.inputClosed(self)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Reset, broken pipe and the like: the connection is over; the filter learns of it
        // through channelInactive and closes the other side.
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if filter.mayRead(self) {
            context.read()
        }
    }
}
