import NIOCore
import TernCore

/// A cluster compiled from `envoy.config.cluster.v3.Cluster`: what every worker needs to pick a
/// host and open connections to it. Immutable; a reload that changes the cluster makes a new one.
public struct ClusterConfig: Sendable {
    /// How the cluster learns its hosts (Envoy's `type`).
    public enum Discovery: Sendable, Equatable {
        case staticHosts
        /// Every address each endpoint's name resolves to is a host, re-resolved every `dns_refresh_rate`.
        case strictDNS
        /// One logical host per endpoint; each new connection goes to the name's first address.
        case logicalDNS
    }

    /// Envoy's `dns_lookup_family`.
    public enum DNSLookupFamily: Sendable, Equatable {
        case auto, v4Only, v6Only, v4Preferred, all
    }

    public let name: String
    /// `alt_stat_name` or the name: the `<name>` in `cluster.<name>.…` stats.
    public let statName: String
    public let discovery: Discovery
    public let endpoints: [EndpointConfig]
    public let connectTimeout: TimeAmount
    public let dnsRefreshRate: TimeAmount
    public let respectDNSTTL: Bool
    public let dnsLookupFamily: DNSLookupFamily
    /// `max_requests_per_connection` (cluster or common_http_protocol_options); nil: unlimited.
    public let maxRequestsPerConnection: Int?
    /// Idle time after which a pooled upstream connection is closed (`common_http_protocol_options.idle_timeout`, 1h default).
    public let idleTimeout: TimeAmount?
    /// `per_connection_buffer_limit_bytes`, 1 MiB by default as in Envoy.
    public let perConnectionBufferLimitBytes: Int
    /// Stats of this cluster, made at compile time so reloads keep them.
    public let stats: ClusterStats
    /// A digest of the source proto: equal digests mean the cluster did not change on reload.
    public let fingerprint: [UInt8]
    /// Load balancing policy, priorities, panic threshold and subsets.
    public let lb: LoadBalancerConfig
    /// `circuit_breakers`, shared by every worker (Envoy's defaults unless the compiler sets them).
    public var circuitBreakers = ClusterCircuitBreakers()
    /// `health_checks` and `outlier_detection` (none unless the compiler sets them).
    public var health = ClusterHealthConfig()
    /// `transport_socket` (TLS origination); nil is raw_buffer.
    public var transportSocket: (any UpstreamTransportSocketFactory)?
    /// The HTTP version spoken to the hosts (HttpProtocolOptions' upstream protocol options).
    public var httpProtocol: UpstreamHTTPProtocol = .http1

    public init(name: String, statName: String, discovery: Discovery, endpoints: [EndpointConfig],
                connectTimeout: TimeAmount, dnsRefreshRate: TimeAmount, respectDNSTTL: Bool,
                dnsLookupFamily: DNSLookupFamily, maxRequestsPerConnection: Int?, idleTimeout: TimeAmount?,
                perConnectionBufferLimitBytes: Int, stats: ClusterStats, fingerprint: [UInt8],
                lb: LoadBalancerConfig = .default) {
        self.name = name
        self.statName = statName
        self.discovery = discovery
        self.endpoints = endpoints
        self.connectTimeout = connectTimeout
        self.dnsRefreshRate = dnsRefreshRate
        self.respectDNSTTL = respectDNSTTL
        self.dnsLookupFamily = dnsLookupFamily
        self.maxRequestsPerConnection = maxRequestsPerConnection
        self.idleTimeout = idleTimeout
        self.perConnectionBufferLimitBytes = perConnectionBufferLimitBytes
        self.stats = stats
        self.fingerprint = fingerprint
        self.lb = lb
    }
}

/// One `lb_endpoints` entry: a host name or IP literal, a port, a weight, and what load
/// balancing reads from the endpoint and its `LocalityLbEndpoints`.
public struct EndpointConfig: Sendable, Equatable {
    public let address: String
    public let port: Int
    public let weight: Int
    public let priority: Int
    /// `metadata.filter_metadata["envoy.lb"]`.
    public let metadata: LBMetadata
    /// The endpoint's locality: equal for entries of `load_assignment.endpoints` with the same
    /// `locality` (region, zone, sub_zone).
    public let locality: Int
    /// That entry's `load_balancing_weight`, nil when unset.
    public let localityWeight: Int?
    /// `health_status` UNHEALTHY, DRAINING or TIMEOUT: the host starts with `failed_eds_health`.
    public let edsUnhealthy: Bool
    /// `health_check_config.port_value`: active health checks go to this port (nil: the endpoint's).
    public var healthCheckPort: Int? = nil
    /// `health_check_config.disable_active_health_check`.
    public var disableActiveHealthCheck = false

    public init(address: String, port: Int, weight: Int = 1, priority: Int = 0, metadata: LBMetadata = [:],
                locality: Int = 0, localityWeight: Int? = nil, edsUnhealthy: Bool = false) {
        self.address = address
        self.port = port
        self.weight = weight
        self.priority = priority
        self.metadata = metadata
        self.locality = locality
        self.localityWeight = localityWeight
        self.edsUnhealthy = edsUnhealthy
    }
}
