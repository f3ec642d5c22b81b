// A client connection that leaves abruptly: closing it sends a TCP reset (SO_LINGER 0) instead of
// a FIN, the way a crashed or killed client's connection can end. Tests use it to check that the
// proxy notices a client gone mid-request.

import NIOCore
import NIOPosix

/// One connection to 127.0.0.1 whose `reset()` aborts it with an RST.
public final class AbortiveConnection: Sendable {
    private let channel: Channel

    private init(channel: Channel) {
        self.channel = channel
    }

    /// Connects to `port`.
    public static func connect(port: Int) async throws -> AbortiveConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        guard let options = channel as? any SocketOptionProvider else {
            throw HarnessError("the channel cannot set SO_LINGER")
        }
        try await options.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        return AbortiveConnection(channel: channel)
    }

    /// Writes the UTF-8 of `text` and flushes.
    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(string: text)).get()
    }

    /// Closes with a reset: the peer reads ECONNRESET, not an end of stream.
    public func reset() async {
        try? await channel.close().get()
    }
}
