/// What load balancing needs to know about one host beyond its address, weight and priority:
/// the endpoint's `envoy.lb` metadata, its locality and the cluster's balancing config.
///
/// The cluster config travels with each host so that a `HostSet` rebuilt from hosts alone (as
/// `ClusterManager.hostHealthChanged` does after a health change) computes the same priorities,
/// subsets and rings as the one built when the hosts were resolved.
public struct HostLBInfo: Sendable {
    /// `lb_endpoints[].metadata.filter_metadata["envoy.lb"]`.
    public let metadata: LBMetadata
    /// The endpoint's locality (hosts with the same `locality` region/zone/sub_zone share it).
    public let locality: Int
    /// That entry's `load_balancing_weight`; nil when unset (the locality then gets no traffic
    /// under `locality_weighted_lb_config`, as in Envoy).
    public let localityWeight: Int?
    public let config: LoadBalancerConfig

    public init(metadata: LBMetadata = [:], locality: Int = 0, localityWeight: Int? = nil,
                config: LoadBalancerConfig = .default) {
        self.metadata = metadata
        self.locality = locality
        self.localityWeight = localityWeight
        self.config = config
    }

    public static let none = HostLBInfo()
}
