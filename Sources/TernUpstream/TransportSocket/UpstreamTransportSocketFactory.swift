import NIOCore

/// A cluster's compiled `transport_socket` (`envoy.transport_sockets.tls` with an
/// `UpstreamTlsContext`). Every connection a pool, tcp_proxy or a health checker opens to one of
/// the cluster's hosts asks it for handlers first, so the codec above writes plaintext. No
/// transport socket means raw_buffer.
public protocol UpstreamTransportSocketFactory: Sendable {
    /// ALPN protocols offered in the handshake (empty: no ALPN extension).
    var alpnProtocols: [String] { get }
    /// Adds this transport socket's handlers to a new upstream connection to `host`, before the
    /// codec's handlers.
    func addHandlers(to channel: any Channel, host: Host) throws
}
