import TernCore

/// A cluster's `health_checks` and `outlier_detection`, with their stats (made at compile time, as
/// the cluster's other stats, so a reload keeps their values).
public struct ClusterHealthConfig: Sendable {
    /// The active health check; nil when the cluster has none (Envoy allows at most one).
    public var healthCheck: HealthCheckConfig?
    public var healthCheckStats: HealthCheckStats?
    /// Outlier detection; nil when the cluster has no `outlier_detection`.
    public var outlierDetection: OutlierDetectionConfig?
    public var outlierStats: OutlierDetectionStats?

    public init() {}

    /// Whether the cluster needs a `ClusterHealth` at all.
    public var isEmpty: Bool { healthCheck == nil && outlierDetection == nil }
}
