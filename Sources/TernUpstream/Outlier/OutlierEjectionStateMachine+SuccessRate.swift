import NIOCore

extension OutlierEjectionStateMachine {
    /// Envoy's `successRateEjectionThreshold`: mean − factor × population stdev of the rates.
    /// With rates {50, 100, 100, 100, 100} and factor 1.9: mean 90, stdev 20, threshold 52.
    public static func successRateThreshold(_ rates: [Double], stdevFactor: Double) -> (mean: Double, threshold: Double) {
        let mean = rates.reduce(0, +) / Double(rates.count)
        let variance = rates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(rates.count)
        return (mean, mean - stdevFactor * variance.squareRoot())
    }

    /// One of Envoy's `processSuccessRateEjections` passes (external or local-origin outcomes).
    mutating func successRateSweep(_ samples: [Key: OutlierSample], localOrigin: Bool, now: NIODeadline,
                                   roll: () -> Int) -> [Event] {
        let c = config
        if localOrigin {
            localOriginSuccessRateAverage = -1
            localOriginSuccessRateEjectionThreshold = -1
        } else {
            successRateAverage = -1
            successRateEjectionThreshold = -1
        }
        let hostCount = hosts.count
        if hostCount < c.successRateMinimumHosts && hostCount < c.failurePercentageMinimumHosts { return [] }

        var srHosts: [(Key, Double)] = []
        var fpHosts: [(Key, Double)] = []
        let minVolume = min(c.successRateRequestVolume, c.failurePercentageRequestVolume)
        for key in hostOrder where hosts[key]?.ejected == false {
            let s = samples[key] ?? OutlierSample()
            let total = localOrigin ? s.localTotal : s.externalTotal
            let success = localOrigin ? s.localSuccess : s.externalSuccess
            guard total > 0 else { continue }
            let rate = Double(success) * 100 / Double(total)
            if total >= UInt64(minVolume) {
                if localOrigin { hosts[key]?.localOriginSuccessRate = rate } else { hosts[key]?.successRate = rate }
            }
            if total >= UInt64(c.successRateRequestVolume) { srHosts.append((key, rate)) }
            if total >= UInt64(c.failurePercentageRequestVolume) { fpHosts.append((key, rate)) }
        }

        var events: [Event] = []
        if !srHosts.isEmpty, srHosts.count >= c.successRateMinimumHosts {
            let (mean, threshold) = Self.successRateThreshold(srHosts.map(\.1), stdevFactor: Double(c.successRateStdevFactor) / 1000)
            if localOrigin {
                localOriginSuccessRateAverage = mean
                localOriginSuccessRateEjectionThreshold = threshold
            } else {
                successRateAverage = mean
                successRateEjectionThreshold = threshold
            }
            let type: OutlierEjectionType = localOrigin ? .successRateLocalOrigin : .successRate
            for (key, rate) in srHosts where rate < threshold && hosts[key]?.ejected == false {
                events.append(.detected(type))
                events += eject(key, type, now: now, roll: roll)
            }
        }
        if !fpHosts.isEmpty, fpHosts.count >= c.failurePercentageMinimumHosts {
            let type: OutlierEjectionType = localOrigin ? .failurePercentageLocalOrigin : .failurePercentage
            for (key, rate) in fpHosts where 100 - rate >= Double(c.failurePercentageThreshold) && hosts[key]?.ejected == false {
                events.append(.detected(type))
                events += eject(key, type, now: now, roll: roll)
            }
        }
        return events
    }
}
