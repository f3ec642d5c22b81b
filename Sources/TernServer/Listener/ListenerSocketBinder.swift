import NIOCore
import NIOPosix
import TernNetwork

/// Binds a listener's sockets. With `enable_reuse_port` (Envoy's default) every worker gets its
/// own socket on each address and the kernel balances accepts; for port 0 the first worker's
/// socket picks the port and the others bind to it. Without it one socket on the first worker
/// accepts and hands connections to all workers in turn.
enum ListenerSocketBinder {
    static let backlog: Int32 = 1024

    /// Binds every address of `listener`'s config; on failure closes what it bound and throws.
    static func bind(_ listener: ActiveListener, pool: WorkerPool) async throws -> (channels: [any Channel], addresses: [SocketAddress]) {
        let config = listener.config
        var channels: [any Channel] = []
        var addresses: [SocketAddress] = []
        do {
            for address in config.addresses {
                if config.enableReusePort {
                    let first = try await bootstrap(listener, pool: pool, loop: pool.eventLoops[0], childGroup: pool.eventLoops[0],
                                                    reusePort: true).bind(to: address).get()
                    channels.append(first)
                    let actual = first.localAddress ?? address
                    addresses.append(actual)
                    for loop in pool.eventLoops.dropFirst() {
                        channels.append(try await bootstrap(listener, pool: pool, loop: loop, childGroup: loop,
                                                            reusePort: true).bind(to: actual).get())
                    }
                } else {
                    let only = try await bootstrap(listener, pool: pool, loop: pool.eventLoops[0], childGroup: pool.group,
                                                   reusePort: false).bind(to: address).get()
                    channels.append(only)
                    addresses.append(only.localAddress ?? address)
                }
            }
        } catch {
            for channel in channels { try? await channel.close().get() }
            throw ListenerBindError(listener: config.name, address: config.addresses[addresses.count], underlying: error)
        }
        return (channels, addresses)
    }

    private static func bootstrap(_ listener: ActiveListener, pool: WorkerPool, loop: any EventLoop,
                                  childGroup: any EventLoopGroup, reusePort: Bool) -> ServerBootstrap {
        let limit = max(1, listener.config.perConnectionBufferLimitBytes)
        return ServerBootstrap(group: loop, childGroup: childGroup)
            .serverChannelOption(.backlog, value: backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ReusePort.option, value: reusePort ? 1 : 0)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            // per_connection_buffer_limit_bytes: the point where writes stop being accepted.
            .childChannelOption(.writeBufferWaterMark, value: .init(low: max(1, limit / 2), high: limit))
            .childChannelInitializer { channel in
                DownstreamAcceptor.initialize(channel, listener: listener, pool: pool)
            }
    }
}
