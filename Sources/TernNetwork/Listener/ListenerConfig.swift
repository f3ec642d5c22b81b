import NIOCore

/// A listener compiled from `envoy.config.listener.v3.Listener`. Immutable; on reload a listener
/// whose fingerprint is unchanged keeps its sockets and connections.
public struct ListenerConfig: Sendable {
    public let name: String
    /// `address` and every `additional_addresses` entry.
    public let addresses: [SocketAddress]
    public let statPrefix: String
    public let filterChains: [FilterChainConfig]
    public let defaultFilterChain: FilterChainConfig?
    public let enableReusePort: Bool
    public let perConnectionBufferLimitBytes: Int
    public let stats: ListenerStats
    /// `listener_filters`, in config order; empty: the chain is chosen at accept, with no
    /// listener-filter phase at all.
    public let listenerFilters: [any ListenerFilterFactory]
    /// The most bytes any of the listener filters reads before deciding.
    public let listenerFiltersMaxReadBytes: Int
    /// `listener_filters_timeout` (Envoy's default 15 s); nil when set to 0 (no timeout).
    public let listenerFiltersTimeout: TimeAmount?
    /// `continue_on_listener_filters_timeout`: on timeout choose a chain with what is known
    /// (true) or close the connection (false, Envoy's default).
    public let continueOnListenerFiltersTimeout: Bool
    /// Digest of the source proto.
    public let fingerprint: [UInt8]
    /// Digest of the proto without its filter chains: equal means the sockets can stay and only
    /// the chains are swapped (Envoy's in-place filter chain update).
    public let socketFingerprint: [UInt8]

    public init(name: String, addresses: [SocketAddress], statPrefix: String, filterChains: [FilterChainConfig],
                defaultFilterChain: FilterChainConfig?, enableReusePort: Bool, perConnectionBufferLimitBytes: Int,
                stats: ListenerStats, fingerprint: [UInt8], socketFingerprint: [UInt8],
                listenerFilters: [any ListenerFilterFactory] = [], listenerFiltersTimeout: TimeAmount? = .seconds(15),
                continueOnListenerFiltersTimeout: Bool = false) {
        self.name = name
        self.addresses = addresses
        self.statPrefix = statPrefix
        self.filterChains = filterChains
        self.defaultFilterChain = defaultFilterChain
        self.enableReusePort = enableReusePort
        self.perConnectionBufferLimitBytes = perConnectionBufferLimitBytes
        self.stats = stats
        self.fingerprint = fingerprint
        self.socketFingerprint = socketFingerprint
        self.listenerFilters = listenerFilters
        self.listenerFiltersMaxReadBytes = listenerFilters.map(\.maxReadBytes).max() ?? 0
        self.listenerFiltersTimeout = listenerFiltersTimeout
        self.continueOnListenerFiltersTimeout = continueOnListenerFiltersTimeout
    }

    /// The chain for a connection, following Envoy's filter_chain_match rules; nil: close it.
    public func selectChain(_ props: ConnectionMatchProperties) -> FilterChainConfig? {
        FilterChainSelector.select(filterChains, props) ?? defaultFilterChain
    }
}

/// One filter chain: when it applies and the network filters it runs.
public struct FilterChainConfig: Sendable {
    public let name: String
    public let match: FilterChainMatch
    public let filters: [any NetworkFilterFactory]
    /// `transport_socket` (TLS); nil is raw_buffer.
    public let transportSocket: (any DownstreamTransportSocketFactory)?

    public init(name: String, match: FilterChainMatch, filters: [any NetworkFilterFactory],
                transportSocket: (any DownstreamTransportSocketFactory)? = nil) {
        self.name = name
        self.match = match
        self.filters = filters
        self.transportSocket = transportSocket
    }
}
