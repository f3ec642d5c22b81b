import NIOCore
import TernTransport

/// `envoy.transport_sockets.tls` on a filter chain: terminates TLS with the chain's compiled
/// `DownstreamTlsContext`. Each connection gets its own NIOSSL handler over the shared context;
/// the handshake's facts land on `DownstreamConnection.tls` before the first plaintext byte
/// reaches a network filter (the HTTP codec reads the negotiated ALPN from there).
public struct DownstreamTLSTransportSocketFactory: DownstreamTransportSocketFactory {
    public let context: TLSServerContext

    public init(context: TLSServerContext) {
        self.context = context
    }

    public func addHandlers(to channel: any Channel, connection: DownstreamConnection) throws {
        try context.addHandlers(to: channel, worker: connection.worker.index) { info in
            connection.tls = info
        }
    }
}
