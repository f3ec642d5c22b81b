// A TCP server on 127.0.0.1 port 0 that accepts connections and never reads from them: once the
// kernel's buffers are full, whoever writes to it is stuck. The upstream that cannot keep up.

import NIOCore
import NIOPosix
import Synchronization

/// An in-process upstream that accepts and never reads.
public final class SilentServer: Sendable {
    /// The port it listens on, chosen by the kernel.
    public let port: Int

    private let channel: Channel
    private let accepted: AcceptCounter

    private init(channel: Channel, port: Int, accepted: AcceptCounter) {
        self.channel = channel
        self.port = port
        self.accepted = accepted
    }

    /// Starts listening.
    public static func start() async throws -> SilentServer {
        let box = AcceptCounter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // No reads, ever: the socket's receive buffer fills and the peer's writes back up.
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                box.count.add(1, ordering: .relaxed)
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw HarnessError("silent server has no port") }
        return SilentServer(channel: channel, port: port, accepted: box)
    }

    /// Connections accepted so far.
    public var connectionCount: Int { accepted.count.load(ordering: .relaxed) }

    /// Stops listening (accepted connections stay open until the peer closes them).
    public func stop() async {
        try? await channel.close().get()
    }
}

private final class AcceptCounter: Sendable {
    let count = Atomic<Int>(0)
}
