import NIOCore
import TernTransport

/// `envoy.transport_sockets.tls` on a cluster: originates TLS with the cluster's compiled
/// `UpstreamTlsContext` on every connection a pool, tcp_proxy or health checker opens.
public struct UpstreamTLSTransportSocketFactory: UpstreamTransportSocketFactory {
    public let context: TLSClientContext

    public init(context: TLSClientContext) {
        self.context = context
    }

    public var alpnProtocols: [String] { context.alpnProtocols }

    public func addHandlers(to channel: any Channel, host: Host, alpnFallback: [String]) throws {
        try context.addHandlers(to: channel, hostname: host.hostname, alpnFallback: alpnFallback)
    }

    public func handshakeCompleted(on channel: any Channel) -> EventLoopFuture<Void> {
        TLSClientContext.handshakeCompleted(on: channel)
    }
}
