// An HTTP/1.1 client that keeps its connection open between requests, built on NIO's own HTTP/1
// client codec: the client side of load tests and of tests that count upstream connections or
// load-balancer picks over many sequential requests. It tells apart what a well-behaved client
// may retry on a fresh connection (the proxy said `connection: close`) from what is a failure
// (the connection closed or broke while a request was outstanding).

import NIOCore
import NIOHTTP1
import NIOPosix

/// One response as the keep-alive client received it.
public struct KeepAliveResponse: Sendable {
    public var status: Int
    public var headers: HeaderFields
    public var body: [UInt8]

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// True when the proxy asked to close the connection after this response.
    public var closesConnection: Bool {
        headers.values("connection").contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "close" }
        }
    }
}

/// A request that got no complete response: the connection closed, broke or timed out under it.
public struct KeepAliveFailure: Error, CustomStringConvertible {
    public let description: String
}

/// One client connection to `127.0.0.1:port` (or `host`) carrying requests one after another.
public final class KeepAliveClient: Sendable {
    private let channel: Channel

    private init(channel: Channel) {
        self.channel = channel
    }

    /// Connects, failing after `timeout`.
    public static func connect(host: String = "127.0.0.1", port: Int, timeout: Duration = .seconds(5))
        async throws -> KeepAliveClient
    {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(timeout.totalNanoseconds))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(KeepAliveClientHandler())
                }
            }
            .connect(host: host, port: port).get()
        return KeepAliveClient(channel: channel)
    }

    /// True while the connection is open.
    public var isActive: Bool { channel.isActive }

    /// Sends one request and waits (at most `timeout`) for its whole response.
    public func request(
        _ method: String = "GET", _ path: String = "/", headers: [(String, String)] = [],
        timeout: Duration = .seconds(10)
    ) async throws -> KeepAliveResponse {
        var fields = HTTPHeaders([("host", "127.0.0.1")] + headers)
        if method != "GET" && method != "HEAD" && !fields.contains(name: "content-length") {
            fields.add(name: "content-length", value: "0")
        }
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path,
                                   headers: fields)
        let promise = channel.eventLoop.makePromise(of: KeepAliveResponse.self)
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(timeout.totalNanoseconds)) {
            promise.fail(KeepAliveFailure(description: "\(method) \(path): no response within \(timeout)"))
        }
        channel.writeAndFlush(KeepAliveRequest(head: head, promise: promise)).whenFailure { error in
            promise.fail(KeepAliveFailure(description: "\(method) \(path): write failed: \(error)"))
        }
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }

    /// Closes the connection.
    public func close() async {
        try? await channel.close().get()
    }
}

/// A request and the promise its response completes.
struct KeepAliveRequest: Sendable {
    let head: HTTPRequestHead
    let promise: EventLoopPromise<KeepAliveResponse>
}

/// Writes one request at a time and completes its promise with the response; confined to its
/// event loop. A close or error with a request outstanding fails that request.
final class KeepAliveClientHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = KeepAliveRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<KeepAliveResponse>?
    private var response: KeepAliveResponse?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        guard pending == nil else {
            request.promise.fail(KeepAliveFailure(description: "a request is already outstanding"))
            promise?.succeed()
            return
        }
        pending = request.promise
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            // 1xx heads are not the answer; wait for the final one.
            guard head.status.code >= 200 else { return }
            response = KeepAliveResponse(
                status: Int(head.status.code),
                headers: HeaderFields(head.headers.map { HeaderField($0.name, $0.value) }), body: [])
        case .body(var buffer):
            response?.body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            guard let response else { return }
            self.response = nil
            let promise = pending
            pending = nil
            promise?.succeed(response)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail("connection closed with a request outstanding (response head \(response == nil ? "not " : "")received)")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail("connection error with a request outstanding: \(error)")
        context.close(promise: nil)
    }

    private func fail(_ reason: String) {
        let promise = pending
        pending = nil
        promise?.fail(KeepAliveFailure(description: reason))
    }
}
