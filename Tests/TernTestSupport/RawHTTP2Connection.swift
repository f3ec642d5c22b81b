// An HTTP/2 client that writes whatever frames a test gives it and reports exactly what came back:
// for attack tests (floods, rapid reset, header bombs) where a real client would refuse or pace.

import NIOCore
import NIOPosix

/// What an HTTP/2 connection received.
public struct HTTP2Received: Sendable {
    public var frames: [HTTP2RawFrame]
    /// The peer closed the connection (EOF or reset).
    public var peerClosed: Bool

    /// The first GOAWAY, if one came.
    public var goAway: (lastStreamID: UInt32, errorCode: UInt32)? { frames.lazy.compactMap(\.goAway).first }

    /// Response statuses of streams answered with a static-table `:status`, by stream.
    public var statuses: [UInt32: Int] {
        var out: [UInt32: Int] = [:]
        for f in frames { if let s = f.indexedStatus { out[f.streamID] = s } }
        return out
    }
}

/// One prior-knowledge HTTP/2 (h2c) connection to 127.0.0.1 that sends raw frames.
public final class RawHTTP2Connection: Sendable {
    private let channel: Channel
    private let collector: NIOLoopBound<ByteCollectorHandler>

    private init(channel: Channel, collector: NIOLoopBound<ByteCollectorHandler>) {
        self.channel = channel
        self.collector = collector
    }

    public static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// Connects, sends the client preface and an empty SETTINGS frame. A client that is not
    /// `reading` never reads a byte (with a small receive buffer), so what the proxy writes to it
    /// piles up on the proxy's side: the way to provoke an outbound flood.
    public static func connect(port: Int, reading: Bool = true) async throws -> RawHTTP2Connection {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        if !reading {
            bootstrap = bootstrap.channelOption(.autoRead, value: false)
                .channelOption(.socketOption(.so_rcvbuf), value: 4096)
        }
        let channel = try await bootstrap.channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ByteCollectorHandler())
            }
        }.connect(host: "127.0.0.1", port: port).get()
        let collector = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: ByteCollectorHandler.self), eventLoop: channel.eventLoop)
        }.get()
        let connection = RawHTTP2Connection(channel: channel, collector: collector)
        try await connection.send(bytes: preface + HTTP2RawFrame.settings().bytes)
        return connection
    }

    /// Writes `frames` in one write and waits until the socket took them.
    public func send(_ frames: [HTTP2RawFrame]) async throws {
        var bytes: [UInt8] = []
        for f in frames { bytes += f.bytes }
        try await send(bytes: bytes)
    }

    public func send(_ frame: HTTP2RawFrame) async throws {
        try await send(bytes: frame.bytes)
    }

    public func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    /// Reads until `isEnough` holds for the frames so far, the peer closes, or `timeout` passes.
    public func read(timeout: Duration = .seconds(10),
                     until isEnough: @escaping @Sendable ([HTTP2RawFrame]) -> Bool) async throws -> HTTP2Received {
        let collector = self.collector
        let eventLoop = channel.eventLoop
        let promise = eventLoop.makePromise(of: RawRead.self)
        eventLoop.execute {
            collector.value.addWaiter({ isEnough(HTTP2RawFrame.parse($0)) }, promise: promise)
            eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.components.seconds * 1_000_000_000
                                                          + timeout.components.attoseconds / 1_000_000_000))) {
                collector.value.timeOut(promise)
            }
        }
        let raw = try await promise.futureResult.get()
        return HTTP2Received(frames: HTTP2RawFrame.parse(raw.bytes), peerClosed: raw.peerClosed)
    }

    /// Reads until the peer closes (or `timeout`).
    public func readUntilClose(timeout: Duration = .seconds(15)) async throws -> HTTP2Received {
        try await read(timeout: timeout) { _ in false }
    }

    /// Whether the channel is still open (for a client that does not read, a failed write or
    /// this turning false is how the proxy's close shows).
    public var isActive: Bool { channel.isActive }

    public func close() async {
        try? await channel.close().get()
    }
}
