import NIOCore

/// Holds the flushes of an HTTP/2 connection until the event loop has handled every socket that
/// was ready, then flushes once. Each stream (and NIOHTTP2 itself) flushes its own frames, so on a
/// connection with many streams one event-loop tick used to cost one `writev` per stream, and two
/// for a response whose end arrives apart from its body; Envoy writes all of a connection's output
/// from one dispatch in a single write. NIO runs tasks queued from the loop only after it has
/// handled all the sockets one `epoll_wait` returned, so the flush queued here goes after every
/// stream that tick wrote.
///
/// A close goes out after what was written before it: a pending flush runs first.
final class CoalescingFlushHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = Any
    typealias OutboundOut = Any

    private var flushQueued = false
    private var removed = false

    func flush(context: ChannelHandlerContext) {
        guard !flushQueued else { return }
        flushQueued = true
        context.eventLoop.assumeIsolatedUnsafeUnchecked().execute { [self] in
            guard flushQueued, !removed else { return }
            flushQueued = false
            context.flush()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if flushQueued {
            flushQueued = false
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
    }
}
