import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `SO_REUSEPORT`, which NIOCore has no constant for: each worker binds its own socket to the
/// listener's address and the kernel spreads new connections over them.
enum ReusePort {
    static let option = ChannelOptions.Types.SocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SO_REUSEPORT)
}
