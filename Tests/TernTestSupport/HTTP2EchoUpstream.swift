// An in-process h2c upstream (swift-nio-http2 server) for what a static server like nginx cannot
// show: it echoes each request's body back as it arrives, answers the request's trailers with
// trailers of its own, records what it received (pseudo-headers, headers, body size, trailers),
// and can misbehave on purpose (reset a stream, never read a request body, hang).

import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import Synchronization

/// An h2c server on 127.0.0.1 (prior knowledge) with one behaviour for every stream.
public final class HTTP2EchoUpstream: Sendable {
    /// What the server does with each stream.
    public enum Behavior: Sendable {
        /// HEADERS `:status: 200` (no content-length) at once, the request body echoed back chunk
        /// by chunk, and at the request's end trailing HEADERS: `x-upstream-trailer: done`,
        /// `x-request-body-bytes`, and each request trailer as `x-echoed-<name>`.
        case echo
        /// RST_STREAM INTERNAL_ERROR as soon as the request's HEADERS arrive.
        case resetBeforeHeaders
        /// The response HEADERS and `bytes` bytes of body, then RST_STREAM INTERNAL_ERROR.
        case resetAfterBytes(Int)
        /// Never reads the request body (no WINDOW_UPDATE: the sender's window closes) and never answers.
        case neverRead
        /// Reads everything, answers nothing.
        case hang
        /// A `bytes`-byte body (`content-length` set) for each request, then END_STREAM.
        case download(Int)
        /// RST_STREAM for the first `n` requests (process-wide), then `download(2)`.
        case resetFirst(Int)
    }

    /// One request as the server received it.
    public struct Request: Sendable {
        public var method = ""
        public var path = ""
        public var authority = ""
        public var scheme = ""
        public var headers: [(name: String, value: String)] = []
        public var bodyBytes = 0
        public var trailers: [(name: String, value: String)] = []
        public var ended = false

        public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
    }

    public let port: Int
    private let channel: any Channel
    let state: State

    /// What the server's connections and streams share (they run on several event loops).
    final class State: Sendable {
        let requests = Mutex<[Request]>([])
        let connections = Atomic<Int>(0)
        let streams = Atomic<Int>(0)
        let behavior: Behavior
        init(behavior: Behavior) { self.behavior = behavior }
    }

    private init(channel: any Channel, port: Int, state: State) {
        self.channel = channel
        self.port = port
        self.state = state
    }

    /// Starts the server. `maxConcurrentStreams` goes in its SETTINGS; `windowSize` is its
    /// initial stream window (how much request body a stream takes before it must read).
    public static func start(_ behavior: Behavior = .echo, maxConcurrentStreams: Int = 100,
                             windowSize: Int = 65535) async throws -> HTTP2EchoUpstream {
        let state = State(behavior: behavior)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                state.connections.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    var connection = NIOHTTP2Handler.ConnectionConfiguration()
                    connection.initialSettings = [
                        HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams),
                        HTTP2Setting(parameter: .initialWindowSize, value: windowSize),
                    ]
                    var stream = NIOHTTP2Handler.StreamConfiguration()
                    stream.targetWindowSize = windowSize
                    let handler = NIOHTTP2Handler(mode: .server, eventLoop: channel.eventLoop,
                                                  connectionConfiguration: connection, streamConfiguration: stream) { child in
                        state.streams.add(1, ordering: .relaxed)
                        return child.eventLoop.makeCompletedFuture {
                            if case .neverRead = behavior {
                                try child.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
                            }
                            try child.pipeline.syncOperations.addHandler(HTTP2EchoStreamHandler(state: state))
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw HarnessError("HTTP/2 echo upstream has no port") }
        return HTTP2EchoUpstream(channel: channel, port: port, state: state)
    }

    /// The requests received so far (complete or not), in arrival order.
    public var requests: [Request] { state.requests.withLock { $0 } }
    /// TCP connections accepted.
    public var connectionCount: Int { state.connections.load(ordering: .relaxed) }
    /// Streams opened by clients.
    public var streamCount: Int { state.streams.load(ordering: .relaxed) }

    public func stop() async {
        try? await channel.close().get()
    }
}

/// One stream of the echo upstream.
final class HTTP2EchoStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    let state: HTTP2EchoUpstream.State
    private var index = -1
    private var sawHead = false
    private var echoing = false

    init(state: HTTP2EchoUpstream.State) { self.state = state }

    func channelActive(context: ChannelHandlerContext) {
        // A stream that must not read takes its HEADERS with one read, then no more.
        if case .neverRead = state.behavior { context.read() }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let h):
            if !sawHead {
                sawHead = true
                head(h.headers, endStream: h.endStream, context: context)
            } else {
                let trailers = h.headers.map { (name: $0.name, value: $0.value) }
                update { $0.trailers = trailers; $0.ended = true }
                finish(context: context, trailers: trailers)
            }
        case .data(let d):
            guard case .byteBuffer(let buffer) = d.data else { return }
            update { $0.bodyBytes += buffer.readableBytes; if d.endStream { $0.ended = true } }
            if echoing, buffer.readableBytes > 0 {
                context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(buffer)))), promise: nil)
            }
            if d.endStream { finish(context: context, trailers: []) }
        default:
            break
        }
    }

    private func update(_ body: (inout HTTP2EchoUpstream.Request) -> Void) {
        let i = index
        state.requests.withLock { if i >= 0, i < $0.count { body(&$0[i]) } }
    }

    private func head(_ fields: HPACKHeaders, endStream: Bool, context: ChannelHandlerContext) {
        var r = HTTP2EchoUpstream.Request()
        for (name, value, _) in fields {
            switch name {
            case ":method": r.method = value
            case ":path": r.path = value
            case ":authority": r.authority = value
            case ":scheme": r.scheme = value
            default: r.headers.append((name, value))
            }
        }
        r.ended = endStream
        let count = state.requests.withLock { $0.append(r); return $0.count }
        index = count - 1
        var behavior = state.behavior
        if case .resetFirst(let n) = behavior { behavior = count <= n ? .resetBeforeHeaders : .download(2) }
        switch behavior {
        case .echo:
            echoing = true
            writeHead(context: context, endStream: false)
            if endStream { finish(context: context, trailers: []) }
        case .resetBeforeHeaders:
            context.writeAndFlush(wrapOutboundOut(.rstStream(.internalError)), promise: nil)
        case .resetAfterBytes(let n):
            writeHead(context: context, endStream: false)
            let body = context.channel.allocator.buffer(repeating: UInt8(ascii: "r"), count: n)
            context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.rstStream(.internalError)), promise: nil)
        case .download(let n):
            let headers = HPACKHeaders([(":status", "200"), ("content-length", String(n))])
            context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
            let body = context.channel.allocator.buffer(repeating: UInt8(ascii: "d"), count: n)
            context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(body), endStream: true))), promise: nil)
        case .neverRead, .hang, .resetFirst:
            break
        }
    }

    private func writeHead(context: ChannelHandlerContext, endStream: Bool) {
        let headers = HPACKHeaders([(":status", "200"), ("content-type", "application/octet-stream")])
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: headers, endStream: endStream))), promise: nil)
    }

    private func finish(context: ChannelHandlerContext, trailers: [(name: String, value: String)]) {
        guard echoing else { return }
        echoing = false
        let bytes = state.requests.withLock { index >= 0 && index < $0.count ? $0[index].bodyBytes : 0 }
        var fields = HPACKHeaders([("x-upstream-trailer", "done"), ("x-request-body-bytes", String(bytes))])
        for t in trailers { fields.add(name: "x-echoed-" + t.name, value: t.value) }
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: fields, endStream: true))), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
