import NIOCore

/// A filter chain's compiled `transport_socket` (`envoy.transport_sockets.tls` with a
/// `DownstreamTlsContext`). It lives in the snapshot; for each accepted connection on that chain
/// it adds its handlers first, so the network filters see plaintext. No transport socket means
/// raw_buffer: the network filters read the socket directly.
public protocol DownstreamTransportSocketFactory: Sendable {
    /// Adds this transport socket's handlers to a new downstream connection, before any network
    /// filter's handlers.
    func addHandlers(to channel: any Channel, connection: DownstreamConnection) throws
}
