import NIOCore

/// A compiled `envoy.config.cluster.v3.OutlierDetection`, with Envoy's defaults.
public struct OutlierDetectionConfig: Sendable, Equatable {
    public var consecutive5xx = 5
    public var consecutiveGatewayFailure = 5
    public var consecutiveLocalOriginFailure = 5
    /// Time between ejection sweeps (success rate, failure percentage, unejection).
    public var interval: TimeAmount = .seconds(10)
    public var baseEjectionTime: TimeAmount = .seconds(30)
    public var maxEjectionTime: TimeAmount = .seconds(300)
    public var maxEjectionTimeJitter: TimeAmount = .zero
    public var maxEjectionPercent = 10
    /// Eject one host even when that exceeds `max_ejection_percent`, if none is ejected.
    public var alwaysEjectOneHost = false
    public var enforcingConsecutive5xx = 100
    /// Envoy enforces gateway-failure ejections 0% of the time unless configured.
    public var enforcingConsecutiveGatewayFailure = 0
    public var enforcingConsecutiveLocalOriginFailure = 100
    public var enforcingSuccessRate = 100
    public var enforcingLocalOriginSuccessRate = 100
    public var enforcingFailurePercentage = 0
    public var enforcingFailurePercentageLocalOrigin = 0
    public var successRateMinimumHosts = 5
    public var successRateRequestVolume = 100
    /// Thousandths: 1900 means mean − 1.9 × stdev.
    public var successRateStdevFactor = 1900
    public var failurePercentageThreshold = 85
    public var failurePercentageMinimumHosts = 5
    public var failurePercentageRequestVolume = 50
    /// Connect failures, timeouts and resets count separately from upstream 5xx.
    public var splitExternalLocalOriginErrors = false
    /// A passed active health check returns an ejected host to service.
    public var successfulActiveHealthCheckUnejectHost = true

    public init() {}
}

/// Why a host is ejected (Envoy's `OutlierEjectionType`), with its stat suffix.
public enum OutlierEjectionType: Sendable, Hashable, CaseIterable {
    case consecutive5xx
    case consecutiveGatewayFailure
    case consecutiveLocalOriginFailure
    case successRate
    case successRateLocalOrigin
    case failurePercentage
    case failurePercentageLocalOrigin

    /// The `<x>` in `ejections_enforced_<x>` / `ejections_detected_<x>`.
    public var statSuffix: String {
        switch self {
        case .consecutive5xx: "consecutive_5xx"
        case .consecutiveGatewayFailure: "consecutive_gateway_failure"
        case .consecutiveLocalOriginFailure: "consecutive_local_origin_failure"
        case .successRate: "success_rate"
        case .successRateLocalOrigin: "local_origin_success_rate"
        case .failurePercentage: "failure_percentage"
        case .failurePercentageLocalOrigin: "local_origin_failure_percentage"
        }
    }

    /// The `enforcing_*` percentage for this type.
    func enforcing(_ c: OutlierDetectionConfig) -> Int {
        switch self {
        case .consecutive5xx: c.enforcingConsecutive5xx
        case .consecutiveGatewayFailure: c.enforcingConsecutiveGatewayFailure
        case .consecutiveLocalOriginFailure: c.enforcingConsecutiveLocalOriginFailure
        case .successRate: c.enforcingSuccessRate
        case .successRateLocalOrigin: c.enforcingLocalOriginSuccessRate
        case .failurePercentage: c.enforcingFailurePercentage
        case .failurePercentageLocalOrigin: c.enforcingFailurePercentageLocalOrigin
        }
    }
}
