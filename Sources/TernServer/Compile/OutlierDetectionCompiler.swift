import NIOCore
import SwiftProtobuf
import TernConfig
import TernUpstream

/// Compiles a cluster's `outlier_detection` into an `OutlierDetectionConfig`, keeping Envoy's
/// default for every field left unset and Envoy's range checks (percentages ≤ 100).
enum OutlierDetectionCompiler {
    static func compile(_ c: Envoy_Config_Cluster_V3_Cluster, path: String) throws -> OutlierDetectionConfig? {
        guard c.hasOutlierDetection else { return nil }
        let o = c.outlierDetection
        let p = "\(path).outlier_detection"
        var r = OutlierDetectionConfig()
        func count(_ v: Google_Protobuf_UInt32Value, _ isSet: Bool, _ field: String, into value: inout Int) {
            if isSet { value = Int(v.value) }
        }
        func percent(_ v: Google_Protobuf_UInt32Value, _ isSet: Bool, _ field: String, into value: inout Int) throws {
            guard isSet else { return }
            guard v.value <= 100 else { throw CompileError("\(p).\(field)", "must be at most 100") }
            value = Int(v.value)
        }
        func duration(_ d: Google_Protobuf_Duration, _ isSet: Bool, _ field: String, into value: inout TimeAmount) throws {
            guard isSet else { return }
            let t = ProtoValues.timeAmount(d)
            guard t > .zero || field == "max_ejection_time_jitter" else { throw CompileError("\(p).\(field)", "must be greater than 0") }
            if ProtoValues.isNegative(d) { throw CompileError("\(p).\(field)", "must not be negative") }
            value = t
        }
        count(o.consecutive5Xx, o.hasConsecutive5Xx, "consecutive_5xx", into: &r.consecutive5xx)
        count(o.consecutiveGatewayFailure, o.hasConsecutiveGatewayFailure, "consecutive_gateway_failure",
              into: &r.consecutiveGatewayFailure)
        count(o.consecutiveLocalOriginFailure, o.hasConsecutiveLocalOriginFailure, "consecutive_local_origin_failure",
              into: &r.consecutiveLocalOriginFailure)
        try duration(o.interval, o.hasInterval, "interval", into: &r.interval)
        try duration(o.baseEjectionTime, o.hasBaseEjectionTime, "base_ejection_time", into: &r.baseEjectionTime)
        try duration(o.maxEjectionTime, o.hasMaxEjectionTime, "max_ejection_time", into: &r.maxEjectionTime)
        try duration(o.maxEjectionTimeJitter, o.hasMaxEjectionTimeJitter, "max_ejection_time_jitter",
                     into: &r.maxEjectionTimeJitter)
        if o.hasBaseEjectionTime, o.hasMaxEjectionTime, r.maxEjectionTime < r.baseEjectionTime {
            throw CompileError("\(p).max_ejection_time", "must not be less than base_ejection_time")
        }
        try percent(o.maxEjectionPercent, o.hasMaxEjectionPercent, "max_ejection_percent", into: &r.maxEjectionPercent)
        try percent(o.enforcingConsecutive5Xx, o.hasEnforcingConsecutive5Xx, "enforcing_consecutive_5xx",
                    into: &r.enforcingConsecutive5xx)
        try percent(o.enforcingConsecutiveGatewayFailure, o.hasEnforcingConsecutiveGatewayFailure,
                    "enforcing_consecutive_gateway_failure", into: &r.enforcingConsecutiveGatewayFailure)
        try percent(o.enforcingConsecutiveLocalOriginFailure, o.hasEnforcingConsecutiveLocalOriginFailure,
                    "enforcing_consecutive_local_origin_failure", into: &r.enforcingConsecutiveLocalOriginFailure)
        try percent(o.enforcingSuccessRate, o.hasEnforcingSuccessRate, "enforcing_success_rate", into: &r.enforcingSuccessRate)
        try percent(o.enforcingLocalOriginSuccessRate, o.hasEnforcingLocalOriginSuccessRate,
                    "enforcing_local_origin_success_rate", into: &r.enforcingLocalOriginSuccessRate)
        try percent(o.enforcingFailurePercentage, o.hasEnforcingFailurePercentage, "enforcing_failure_percentage",
                    into: &r.enforcingFailurePercentage)
        try percent(o.enforcingFailurePercentageLocalOrigin, o.hasEnforcingFailurePercentageLocalOrigin,
                    "enforcing_failure_percentage_local_origin", into: &r.enforcingFailurePercentageLocalOrigin)
        try percent(o.failurePercentageThreshold, o.hasFailurePercentageThreshold, "failure_percentage_threshold",
                    into: &r.failurePercentageThreshold)
        count(o.successRateMinimumHosts, o.hasSuccessRateMinimumHosts, "success_rate_minimum_hosts", into: &r.successRateMinimumHosts)
        count(o.successRateRequestVolume, o.hasSuccessRateRequestVolume, "success_rate_request_volume",
              into: &r.successRateRequestVolume)
        count(o.successRateStdevFactor, o.hasSuccessRateStdevFactor, "success_rate_stdev_factor", into: &r.successRateStdevFactor)
        count(o.failurePercentageMinimumHosts, o.hasFailurePercentageMinimumHosts, "failure_percentage_minimum_hosts",
              into: &r.failurePercentageMinimumHosts)
        count(o.failurePercentageRequestVolume, o.hasFailurePercentageRequestVolume, "failure_percentage_request_volume",
              into: &r.failurePercentageRequestVolume)
        r.splitExternalLocalOriginErrors = o.splitExternalLocalOriginErrors
        if o.hasSuccessfulActiveHealthCheckUnejectHost {
            r.successfulActiveHealthCheckUnejectHost = o.successfulActiveHealthCheckUnejectHost.value
        }
        if o.hasAlwaysEjectOneHost { r.alwaysEjectOneHost = o.alwaysEjectOneHost.value }
        return r
    }
}
