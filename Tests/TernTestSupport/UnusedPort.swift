// A port on 127.0.0.1 with nothing listening: the address of a dead upstream.

import NIOCore
import NIOPosix

/// Finds loopback ports nobody listens on.
public enum UnusedPort {
    /// Binds port 0, notes the port the kernel chose, and closes the socket again. Nothing listens
    /// there afterwards, so a connection to it is refused (the kernel hands a port out again only
    /// after cycling through the whole ephemeral range).
    public static func next() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw HarnessError("no port") }
        try await channel.close().get()
        return port
    }
}
