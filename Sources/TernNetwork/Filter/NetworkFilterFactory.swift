import NIOCore
import TernTransport

/// A compiled network filter (`envoy.filters.network.*`). It lives in the snapshot and is asked,
/// once per accepted connection on that connection's event loop, to add its handlers.
/// Filters run in config order; the last one is terminal (tcp_proxy, http_connection_manager).
public protocol NetworkFilterFactory: Sendable {
    /// Adds this filter's channel handlers to a new downstream connection.
    func addHandlers(to channel: any Channel, connection: DownstreamConnection) throws
}

/// One accepted connection as filters see it. Loop-confined.
public final class DownstreamConnection {
    public let worker: Worker
    public let remoteAddress: SocketAddress?
    public let localAddress: SocketAddress?
    public let listenerName: String
    public let listenerStats: ListenerStats
    /// The filter chain's name (for logs and `%FILTER_CHAIN_NAME%`).
    public let filterChainName: String
    /// The SNI the client asked for (tls_inspector, or a terminating transport socket); empty
    /// when unknown. Envoy's `requestedServerName()`, printed by `%REQUESTED_SERVER_NAME%`.
    public var requestedServerName = ""
    /// Set when the listener is draining: terminal filters close connections at the next
    /// request boundary (HTTP answers with `connection: close`).
    public var draining = false
    /// Called by the terminal filter when the connection should drain (listener removed, SIGTERM).
    public var onDrain: (() -> Void)?
    /// State a filter keeps for the life of the connection (Envoy's connection-lifespan filter
    /// state, e.g. per-connection rate-limit buckets), keyed by an object of the filter's config.
    public var filterState: [ObjectIdentifier: AnyObject] = [:]
    /// The TLS session's facts (ALPN, version, peer certificate names) once the transport
    /// socket's handshake completed; nil on plaintext connections.
    public var tls: TLSConnectionInfo?

    public init(worker: Worker, remoteAddress: SocketAddress?, localAddress: SocketAddress?,
                listenerName: String, listenerStats: ListenerStats, filterChainName: String) {
        self.worker = worker
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
        self.listenerName = listenerName
        self.listenerStats = listenerStats
        self.filterChainName = filterChainName
    }

    /// Starts draining this connection.
    public func drain() {
        guard !draining else { return }
        draining = true
        onDrain?()
    }
}
