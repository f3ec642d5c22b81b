/// What a caller tells the load balancer about one request (Envoy's `LoadBalancerContext`).
/// Built on the request path; a plain value.
public struct LoadBalancerContext: Sendable {
    /// The request's hash from the route's `hash_policy`, for RING_HASH and MAGLEV; nil: none
    /// (those balancers then pick at random, as Envoy does).
    public var hashKey: UInt64?
    /// Hosts earlier attempts of this request used (`retry_host_predicate` previous_hosts):
    /// the balancer avoids them while it has others.
    public var previousHosts: [Host]
    /// The route's `metadata_match` under `envoy.lb`, for subset load balancing; nil: none.
    public var metadataMatch: LBMetadata?

    public init(hashKey: UInt64? = nil, previousHosts: [Host] = [], metadataMatch: LBMetadata? = nil) {
        self.hashKey = hashKey
        self.previousHosts = previousHosts
        self.metadataMatch = metadataMatch
    }

    public static let none = LoadBalancerContext()
}
