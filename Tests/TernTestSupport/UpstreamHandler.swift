// One UpstreamServer connection: gathers each request, records it, and acts out the behaviour.

import Foundation
import NIOCore
import NIOHTTP1

/// The per-connection handler of an UpstreamServer; confined to its event loop.
final class UpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: UpstreamServer
    private let connection: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(server: UpstreamServer, connection: Int) {
        self.server = server
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(
                    wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))),
                    promise: nil)
            }
        case .body(var buffer):
            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            guard let head else { return }
            let request = RecordedRequest(
                method: head.method.rawValue, uri: head.uri,
                version: "HTTP/\(head.version.major).\(head.version.minor)",
                headers: HeaderFields(head.headers.map { HeaderField($0.name, $0.value) }),
                body: body, connection: connection)
            act(server.received(request), request: request, head: head, context: context)
        }
    }

    // MARK: - Behaviours

    private func act(
        _ behavior: UpstreamBehavior, request: RecordedRequest, head: HTTPRequestHead,
        context: ChannelHandlerContext
    ) {
        switch behavior {
        case .respond(let status, let headers, let text):
            var fields = HTTPHeaders(headers.map { ($0.name, $0.value) })
            if !fields.contains(name: "content-length") && !fields.contains(name: "transfer-encoding") {
                fields.add(name: "content-length", value: String(text.utf8.count))
            }
            respond(status: status, headers: fields, chunks: [text], head: head, context: context)
        case .echo:
            let json = (try? JSONEncoder().encode(EchoedRequest(request, upstream: server.name))) ?? Data()
            let fields = HTTPHeaders([("content-type", "application/json"), ("content-length", String(json.count))])
            respond(status: 200, headers: fields, chunks: [String(decoding: json, as: UTF8.self)],
                    head: head, context: context)
        case .chunked(let chunks):
            respond(status: 200, headers: HTTPHeaders(), chunks: chunks, head: head, context: context)
        case .streamed(let chunks, let interval):
            writeHead(status: 200, headers: HTTPHeaders(), head: head, context: context)
            stream(chunks[...], interval: interval, head: head, context: context)
        case .delayed(let delay, let then):
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(delay.totalNanoseconds)) {
                self.act(then, request: request, head: head, context: context)
            }
        case .hang:
            break
        case .closeBeforeResponse:
            context.close(promise: nil)
        case .closeMidResponse(let sent, let declared):
            writeHead(status: 200, headers: HTTPHeaders([("content-length", String(declared))]),
                      head: head, context: context)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(repeating: UInt8(ascii: "x"), count: sent)))),
                          promise: nil)
            context.flush()
            context.close(promise: nil)
        case .reset:
            // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            if let socket = context.channel as? SocketOptionProvider {
                _ = socket.setSoLinger(linger(l_onoff: 1, l_linger: 0))
            }
            context.close(promise: nil)
        case .custom(let decide):
            act(decide(request), request: request, head: head, context: context)
        }
    }

    private func writeHead(status: Int, headers: HTTPHeaders, head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = headers
        headers.add(name: "server", value: "tern-test-upstream")
        headers.add(name: "x-upstream-name", value: server.name)
        if !head.isKeepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        let response = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status),
                                        headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
    }

    private func respond(
        status: Int, headers: HTTPHeaders, chunks: [String], head: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        writeHead(status: status, headers: headers, head: head, context: context)
        for chunk in chunks where !chunk.isEmpty {
            // Each chunk is flushed on its own so a chunked response really arrives in pieces.
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: chunk)))), promise: nil)
        }
        end(head: head, context: context)
    }

    private func stream(
        _ chunks: ArraySlice<String>, interval: Duration, head: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        context.flush()
        guard let chunk = chunks.first else {
            end(head: head, context: context)
            return
        }
        context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(interval.totalNanoseconds)) {
            guard context.channel.isActive else { return }
            context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: chunk)))), promise: nil)
            self.stream(chunks.dropFirst(), interval: interval, head: head, context: context)
        }
    }

    private func end(head: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = head.isKeepAlive
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
