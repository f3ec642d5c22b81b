/// What a caller tells the load balancer about one request (Envoy's `LoadBalancerContext`).
/// Built on the request path; a plain value.
public struct LoadBalancerContext: Sendable {
    /// The request's hash from the route's `hash_policy`, for RING_HASH and MAGLEV; nil: none.
    public var hashKey: UInt64?
    /// Hosts earlier attempts of this request used (`retry_host_predicate` previous_hosts):
    /// the balancer avoids them while it has others.
    public var previousHosts: [Host]

    public init(hashKey: UInt64? = nil, previousHosts: [Host] = []) {
        self.hashKey = hashKey
        self.previousHosts = previousHosts
    }

    public static let none = LoadBalancerContext()
}
