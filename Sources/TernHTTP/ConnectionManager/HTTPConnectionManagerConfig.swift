import NIOCore
import TernNetwork

/// A compiled `envoy.filters.network.http_connection_manager`: everything one downstream HTTP
/// connection needs, shared (immutable) by every connection of its filter chain.
public final class HTTPConnectionManagerConfig: Sendable {
    /// Envoy's `codec_type`.
    public enum Codec: Sendable { case auto, http1, http2 }

    /// Envoy's `server_header_transformation`.
    public enum ServerHeader: Sendable { case overwrite, appendIfAbsent, passThrough }

    public let statPrefix: String
    public let stats: HTTPConnectionManagerStats
    public let codec: Codec
    public let routeConfig: RouteConfig
    /// HTTP filters in config order; the last is terminal (the router).
    public let filters: [any HTTPFilterFactory]
    public let serverName: String
    public let serverHeader: ServerHeader
    /// `max_request_headers_kb` in bytes (Envoy's default 60 KiB).
    public let maxRequestHeadersBytes: Int
    /// `stream_idle_timeout` (5 min default); nil disables.
    public let streamIdleTimeout: TimeAmount?
    /// `request_timeout` (disabled by default).
    public let requestTimeout: TimeAmount?
    /// `request_headers_timeout` (disabled by default).
    public let requestHeadersTimeout: TimeAmount?
    /// `common_http_protocol_options.idle_timeout` (1 h default); nil disables.
    public let idleTimeout: TimeAmount?
    /// `common_http_protocol_options.max_requests_per_connection`; nil: unlimited.
    public let maxRequestsPerConnection: Int?
    /// `drain_timeout` (5 s default).
    public let drainTimeout: TimeAmount
    public let accessLogs: [any AccessLogger]
    public let useRemoteAddress: Bool
    public let xffNumTrustedHops: Int
    public let skipXffAppend: Bool
    public let via: String?
    public let generateRequestID: Bool
    public let preserveExternalRequestID: Bool
    public let alwaysSetRequestIDInResponse: Bool
    /// Upgrade types the connection manager allows (`upgrade_configs`), lowercase.
    public let upgradeTypes: Set<String>
    public let proxy100Continue: Bool
    /// `http_protocol_options.accept_http_10`; Envoy answers HTTP/1.0 with 426 otherwise.
    public let acceptHTTP10: Bool
    public let defaultHostForHTTP10: String?
    public let stripMatchingHostPort: Bool
    /// Bytes of request body buffered for the router before reading pauses (per-connection limit).
    public let bufferLimitBytes: Int
    /// `http2_protocol_options` for HTTP/2 downstream connections.
    public let http2: HTTP2Settings
    /// `internal_address_config.cidr_ranges`: clients whose requests are trusted (none by default,
    /// as in Envoy 1.40).
    public let internalAddresses: [CIDRRange]

    public init(statPrefix: String, stats: HTTPConnectionManagerStats, codec: Codec, routeConfig: RouteConfig,
                filters: [any HTTPFilterFactory], serverName: String, serverHeader: ServerHeader,
                maxRequestHeadersBytes: Int, streamIdleTimeout: TimeAmount?, requestTimeout: TimeAmount?,
                requestHeadersTimeout: TimeAmount?, idleTimeout: TimeAmount?, maxRequestsPerConnection: Int?,
                drainTimeout: TimeAmount, accessLogs: [any AccessLogger], useRemoteAddress: Bool, xffNumTrustedHops: Int,
                skipXffAppend: Bool, via: String?, generateRequestID: Bool, preserveExternalRequestID: Bool,
                alwaysSetRequestIDInResponse: Bool, upgradeTypes: Set<String>, proxy100Continue: Bool,
                acceptHTTP10: Bool, defaultHostForHTTP10: String?, stripMatchingHostPort: Bool, bufferLimitBytes: Int,
                http2: HTTP2Settings = HTTP2Settings(), internalAddresses: [CIDRRange] = []) {
        self.statPrefix = statPrefix
        self.stats = stats
        self.codec = codec
        self.routeConfig = routeConfig
        self.filters = filters
        self.serverName = serverName
        self.serverHeader = serverHeader
        self.maxRequestHeadersBytes = maxRequestHeadersBytes
        self.streamIdleTimeout = streamIdleTimeout
        self.requestTimeout = requestTimeout
        self.requestHeadersTimeout = requestHeadersTimeout
        self.idleTimeout = idleTimeout
        self.maxRequestsPerConnection = maxRequestsPerConnection
        self.drainTimeout = drainTimeout
        self.accessLogs = accessLogs
        self.useRemoteAddress = useRemoteAddress
        self.xffNumTrustedHops = xffNumTrustedHops
        self.skipXffAppend = skipXffAppend
        self.via = via
        self.generateRequestID = generateRequestID
        self.preserveExternalRequestID = preserveExternalRequestID
        self.alwaysSetRequestIDInResponse = alwaysSetRequestIDInResponse
        self.upgradeTypes = upgradeTypes
        self.proxy100Continue = proxy100Continue
        self.acceptHTTP10 = acceptHTTP10
        self.defaultHostForHTTP10 = defaultHostForHTTP10
        self.stripMatchingHostPort = stripMatchingHostPort
        self.bufferLimitBytes = bufferLimitBytes
        self.http2 = http2
        self.internalAddresses = internalAddresses
    }
}

/// The compiled `http2_protocol_options` Tern acts on, with Envoy's defaults.
public struct HTTP2Settings: Sendable {
    /// `max_concurrent_streams`, sent in SETTINGS (Envoy's default 2147483647).
    public var maxConcurrentStreams = 2_147_483_647
    /// `initial_stream_window_size` (Envoy's default 256 MiB).
    public var initialStreamWindowSize = 268_435_456
    /// `initial_connection_window_size` (Envoy's default 256 MiB).
    public var initialConnectionWindowSize = 268_435_456
    /// Envoy's flood limits (`max_outbound_frames` and the four others).
    public var floodLimits = HTTP2FloodLimits()
    /// The codec's `http2.*` stats; nil in a config made without a stats store.
    public var codecStats: HTTP2CodecStats?

    public init() {}
}
