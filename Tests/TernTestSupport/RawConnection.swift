// A TCP client that sends exact bytes and reads what comes back, for tests where a real HTTP client
// would be too polite: malformed requests, pipelining, half-close, byte-exact tcp_proxy checks.

import NIOCore
import NIOPosix

/// What a read collected.
public struct RawRead: Sendable {
    /// Every byte received on the connection so far.
    public var bytes: [UInt8]
    /// True when the peer closed its side (EOF or reset).
    public var peerClosed: Bool
    /// True when the peer reset the connection.
    public var wasReset: Bool
    /// True when the read gave up at its time limit.
    public var timedOut: Bool

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The HTTP responses complete in the bytes so far.
    public var responses: [HTTPResponse] {
        HTTPResponseParser.parse(bytes, peerClosed: peerClosed).responses
    }
}

/// One client connection to 127.0.0.1.
public final class RawConnection: Sendable {
    private let channel: Channel
    private let collector: NIOLoopBound<ByteCollectorHandler>

    private init(channel: Channel, collector: NIOLoopBound<ByteCollectorHandler>) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects to `host:port`, failing after `timeout`.
    public static func connect(
        host: String = "127.0.0.1", port: Int, timeout: Duration = .seconds(5)
    ) async throws -> RawConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(timeout.components.seconds * 1000)))
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteCollectorHandler())
                }
            }
            .connect(host: host, port: port).get()
        let collector = try await channel.eventLoop.submit {
            NIOLoopBound(
                try channel.pipeline.syncOperations.handler(type: ByteCollectorHandler.self),
                eventLoop: channel.eventLoop)
        }.get()
        return RawConnection(channel: channel, collector: collector)
    }

    /// Writes `bytes` and flushes.
    public func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    /// Writes the UTF-8 of `text` and flushes.
    public func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    /// Closes the sending side only (TCP half-close); reading goes on.
    public func shutdownWrite() async throws {
        try await channel.close(mode: .output).get()
    }

    /// Writes the UTF-8 of `text` and half-closes right behind it, in one task on the client's
    /// loop, so the FIN follows the bytes by microseconds rather than an event-loop hop.
    public func sendAndShutdownWrite(_ text: String) async throws {
        let channel = self.channel
        try await channel.eventLoop.flatSubmit {
            channel.writeAndFlush(channel.allocator.buffer(string: text), promise: nil)
            return channel.close(mode: .output)
        }.get()
    }

    /// Closes the connection.
    public func close() async {
        try? await channel.close().get()
    }

    /// Waits until `isEnough` holds for the bytes received so far, the peer closes, or `timeout`
    /// passes, and returns what arrived.
    public func read(
        timeout: Duration = .seconds(10), until isEnough: @escaping @Sendable ([UInt8]) -> Bool
    ) async throws -> RawRead {
        let collector = self.collector
        let eventLoop = channel.eventLoop
        let promise = eventLoop.makePromise(of: RawRead.self)
        eventLoop.execute {
            collector.value.addWaiter(isEnough, promise: promise)
            eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.totalNanoseconds))) {
                collector.value.timeOut(promise)
            }
        }
        return try await promise.futureResult.get()
    }

    /// Reads until the peer closes (or `timeout`).
    public func readUntilClose(timeout: Duration = .seconds(10)) async throws -> RawRead {
        try await read(timeout: timeout) { _ in false }
    }

    /// Reads until `count` complete HTTP responses (1xx ones included) have arrived.
    public func readResponses(_ count: Int, timeout: Duration = .seconds(10)) async throws -> RawRead {
        try await read(timeout: timeout) {
            HTTPResponseParser.parse($0, peerClosed: false).responses.count >= count
        }
    }

    /// Reads until at least `count` bytes have arrived.
    public func readBytes(_ count: Int, timeout: Duration = .seconds(10)) async throws -> RawRead {
        try await read(timeout: timeout) { $0.count >= count }
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var totalNanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
