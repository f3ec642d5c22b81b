import NIOCore

/// A listener filter (`envoy.filters.listener.*`) on one accepted connection: it looks at the
/// connection's first bytes before a filter chain is chosen and records what it learns (SNI,
/// ALPN, transport protocol) in the properties the chain is matched on. One per connection,
/// confined to the connection's event loop; made by a `ListenerFilterFactory`.
public protocol ListenerFilter: AnyObject {
    /// Judges every byte received so far (`bytes` starts at the connection's first byte; it is
    /// never consumed, so the chain's filters see the same bytes afterwards). `properties` may be
    /// enriched. Called again with more bytes after `.needMoreData`.
    func onData(_ bytes: ByteBuffer, properties: inout ConnectionMatchProperties) -> ListenerFilterStatus
}

/// What a listener filter decided about the bytes it was shown.
public enum ListenerFilterStatus: Sendable, Equatable {
    /// Done: run the next listener filter, or choose the filter chain after the last one.
    case `continue`
    /// Not enough bytes to decide: wait for more (until `listener_filters_timeout`).
    case needMoreData
    /// Close the connection (e.g. a ClientHello too large); no chain is chosen.
    case close
}
