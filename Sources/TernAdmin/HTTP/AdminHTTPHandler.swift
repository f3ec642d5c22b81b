import NIOCore
import NIOHTTP1

/// The admin connection's HTTP handler: collects one request, lets the router answer it in a
/// Swift task (so a slow provider never holds an event loop), then writes the response back on
/// the channel's loop. NIO's pipelining helper in front of it keeps responses in request order.
final class AdminHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: AdminRouter
    private let accessLog: AdminAccessLog?
    private var head: HTTPRequestHead?
    /// False once the channel is gone, so a late answer is dropped.
    private var active = true

    init(router: AdminRouter, accessLog: AdminAccessLog?) {
        self.router = router
        self.accessLog = accessLog
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            // No admin endpoint Tern serves reads a body; drop it.
            break
        case .end:
            guard let head else { return }
            self.head = nil
            dispatch(head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        active = false
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func dispatch(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let request = AdminRequest(method: head.method.rawValue, uri: head.uri)
        let router = self.router
        let started = NIODeadline.now()
        let promise = context.eventLoop.makePromise(of: AdminResponse.self)
        promise.completeWithTask { await router.respond(to: request) }
        // The promise belongs to this loop, so the callback runs here and may touch `self`.
        promise.futureResult.assumeIsolated().whenSuccess { response in
            guard self.active else { return }
            let bytes = self.write(response, for: head, context: context)
            self.accessLog?(AdminAccessLogEntry(
                method: request.method, uri: head.uri, status: response.status, responseBytes: bytes,
                remoteAddress: context.channel.remoteAddress,
                durationNanoseconds: (NIODeadline.now() - started).nanoseconds))
        }
    }

    /// Writes `response`; returns the body size.
    private func write(_ response: AdminResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) -> Int {
        let body = context.channel.allocator.buffer(string: response.body)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        // Envoy marks every admin answer as not cacheable and not to be sniffed.
        headers.add(name: "cache-control", value: "no-cache, max-age=0")
        headers.add(name: "x-content-type-options", value: "nosniff")
        headers.add(name: "content-length", value: String(body.readableBytes))
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "connection", value: "close") }

        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.status),
                                    headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !keepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
        if let after = response.afterSent {
            done.futureResult.whenComplete { _ in Task { await after.run() } }
        }
        return body.readableBytes
    }
}
