import NIOCore
import NIOPosix
import TernUpstream

/// Opens one pooled HTTP connection to a host, as both pools do: TCP with the cluster's connect
/// timeout and TCP_NODELAY, then the cluster's transport socket (TLS, nearest the socket) and,
/// once its handshake is done, the codec — so a failed handshake is a connect failure with its
/// transport failure reason, as in Envoy. Without a transport socket the codec joins at once.
enum UpstreamConnector {
    static func connect(on eventLoop: any EventLoop, to host: Host, cluster: ClusterConfig, alpnFallback: [String],
                        addCodec: @escaping @Sendable (any Channel) throws -> Void) -> EventLoopFuture<any Channel> {
        let transport = cluster.transportSocket
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(cluster.connectTimeout)
            .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let transport {
                        try transport.addHandlers(to: channel, host: host, alpnFallback: alpnFallback)
                    } else {
                        try addCodec(channel)
                    }
                }
            }
        return bootstrap.connect(to: host.address).flatMap { channel -> EventLoopFuture<any Channel> in
            guard let transport else { return channel.eventLoop.makeSucceededFuture(channel) }
            return transport.handshakeCompleted(on: channel).flatMapThrowing {
                try addCodec(channel)
                return channel
            }.flatMapErrorThrowing { error in
                channel.close(promise: nil)
                throw error
            }
        }
    }

    /// A failed connect, counted as Envoy counts it (`upstream_cx_connect_fail`, and
    /// `upstream_cx_connect_timeout` for a timeout), and what the waiting request is told.
    static func connectFailed(_ error: any Error, host: Host, stats: ClusterStats, worker: Int) -> PoolFailure {
        let failure: PoolFailure
        if case ChannelError.connectTimeout = error {
            stats.upstreamCxConnectTimeout.inc(worker: worker)
            failure = .connectTimeout
        } else {
            failure = .connectFailure("\(error)")
        }
        stats.upstreamCxConnectFail.inc(worker: worker)
        host.stats.cxConnectFail.add(1, ordering: .relaxed)
        return failure
    }
}
