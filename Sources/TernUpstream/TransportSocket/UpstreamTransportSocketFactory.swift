import NIOCore

/// A cluster's compiled `transport_socket` (`envoy.transport_sockets.tls` with an
/// `UpstreamTlsContext`). Every connection a pool, tcp_proxy or a health checker opens to one of
/// the cluster's hosts asks it for handlers first, so the codec above writes plaintext. No
/// transport socket means raw_buffer.
public protocol UpstreamTransportSocketFactory: Sendable {
    /// ALPN protocols offered in the handshake (empty: no ALPN extension, unless a pool's fallback).
    var alpnProtocols: [String] { get }
    /// Adds this transport socket's handlers to a new upstream connection to `host`, before the
    /// codec's handlers. `alpnFallback` is what the pool's codec offers when `alpnProtocols` is
    /// empty (Envoy: "h2" for HTTP/2 pools, "http/1.1" for HTTP/1.1 ones; none for tcp_proxy).
    func addHandlers(to channel: any Channel, host: Host, alpnFallback: [String]) throws
    /// Succeeds once the connection can carry the codec's bytes (TLS: the handshake finished);
    /// fails with the transport failure reason otherwise. Pools count a connection as connected
    /// only then, as Envoy does. Call on the channel's loop after the TCP connect succeeded.
    func handshakeCompleted(on channel: any Channel) -> EventLoopFuture<Void>
}

extension UpstreamTransportSocketFactory {
    /// Adds the handlers with no ALPN fallback (tcp_proxy).
    public func addHandlers(to channel: any Channel, host: Host) throws {
        try addHandlers(to: channel, host: host, alpnFallback: [])
    }
}
