/// Which HTTP version a cluster speaks to its hosts, from Envoy's
/// `typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]`
/// (or the deprecated cluster-level `http2_protocol_options` / `protocol_selection`).
public enum UpstreamHTTPProtocol: Sendable, Equatable {
    /// `explicit_http_config.http_protocol_options`, and the default.
    case http1
    /// `explicit_http_config.http2_protocol_options`: h2c prior knowledge (or h2 over TLS).
    case http2(UpstreamHTTP2Settings)
    /// `use_downstream_protocol_config`: HTTP/2 for an HTTP/2 request, HTTP/1.1 otherwise.
    case downstream(UpstreamHTTP2Settings)

    /// The protocol for a request that arrived over HTTP/2 (`downstreamIsHTTP2`) or not; nil
    /// settings mean HTTP/1.1.
    public func http2Settings(downstreamIsHTTP2: Bool) -> UpstreamHTTP2Settings? {
        switch self {
        case .http1: nil
        case .http2(let s): s
        case .downstream(let s): downstreamIsHTTP2 ? s : nil
        }
    }
}

/// The `http2_protocol_options` an upstream HTTP/2 connection uses, with Envoy's defaults.
public struct UpstreamHTTP2Settings: Sendable, Equatable {
    /// `max_concurrent_streams`: the most streams Tern opens on one connection (the peer's
    /// SETTINGS_MAX_CONCURRENT_STREAMS may lower it). Envoy's default 2147483647.
    public var maxConcurrentStreams = 2_147_483_647
    /// `initial_stream_window_size` (Envoy's default 256 MiB): how much of one response the
    /// upstream may send before Tern reads it.
    public var initialStreamWindowSize = 268_435_456
    /// `initial_connection_window_size` (Envoy's default 256 MiB).
    public var initialConnectionWindowSize = 268_435_456

    public init() {}
}
