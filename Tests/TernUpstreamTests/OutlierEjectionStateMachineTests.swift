import NIOCore
import Testing
import TernUpstream

@Suite("Outlier ejection state machine")
struct OutlierEjectionStateMachineTests {
    typealias Machine = OutlierEjectionStateMachine<Int>
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    let always: () -> Int = { 0 }

    func config(_ edit: (inout OutlierDetectionConfig) -> Void = { _ in }) -> OutlierDetectionConfig {
        var c = OutlierDetectionConfig()
        c.maxEjectionPercent = 100
        edit(&c)
        return c
    }

    @Test("a tripped consecutive_5xx ejects; an ejected host is not detected again")
    func consecutive() {
        var m = Machine(config: config())
        m.setHosts([1, 2])
        #expect(m.consecutiveTripped(1, .consecutive5xx, now: t0, roll: always) == [.detected(.consecutive5xx), .ejected(1, .consecutive5xx)])
        #expect(m.consecutiveTripped(1, .consecutive5xx, now: t0, roll: always).isEmpty)
        #expect(m.ejectionsActive == 1)
    }

    @Test("max_ejection_percent: (ejected + 1) / hosts must stay within it; always_eject_one_host overrides once")
    func maxPercent() {
        var m = Machine(config: config { $0.maxEjectionPercent = 50 })
        m.setHosts([1, 2, 3, 4])
        #expect(m.consecutiveTripped(1, .consecutive5xx, now: t0, roll: always).last == .ejected(1, .consecutive5xx))
        #expect(m.consecutiveTripped(2, .consecutive5xx, now: t0, roll: always).last == .ejected(2, .consecutive5xx))
        #expect(m.consecutiveTripped(3, .consecutive5xx, now: t0, roll: always).last == .overflow(.consecutive5xx))

        var ten = Machine(config: config { $0.maxEjectionPercent = 10 })
        ten.setHosts([1, 2])
        #expect(ten.consecutiveTripped(1, .consecutive5xx, now: t0, roll: always).last == .overflow(.consecutive5xx))
        var one = Machine(config: config { $0.maxEjectionPercent = 10; $0.alwaysEjectOneHost = true })
        one.setHosts([1, 2])
        #expect(one.consecutiveTripped(1, .consecutive5xx, now: t0, roll: always).last == .ejected(1, .consecutive5xx))
        #expect(one.consecutiveTripped(2, .consecutive5xx, now: t0, roll: always).last == .overflow(.consecutive5xx))
    }

    @Test("enforcing_* below the roll detects without ejecting (gateway failures default to 0%)")
    func enforcing() {
        var m = Machine(config: config())
        m.setHosts([1, 2])
        #expect(m.consecutiveTripped(1, .consecutiveGatewayFailure, now: t0, roll: always)
            == [.detected(.consecutiveGatewayFailure), .notEnforced(.consecutiveGatewayFailure)])
        #expect(!m.isEjected(1))
    }

    @Test("ejection time is base × times ejected, capped by max_ejection_time, and backs off while healthy")
    func backoff() {
        var m = Machine(config: config { $0.baseEjectionTime = .seconds(10); $0.maxEjectionTime = .seconds(20); $0.interval = .seconds(1) })
        m.setHosts([1, 2])
        _ = m.consecutiveTripped(1, .consecutive5xx, now: t0, roll: always)
        #expect(m.sweep(now: t0 + .seconds(9), samples: [:], roll: always).isEmpty)
        #expect(m.sweep(now: t0 + .seconds(10), samples: [:], roll: always) == [.unejected(1)])
        // Ejected again at once: now 20 s.
        let t1 = t0 + .seconds(10)
        _ = m.consecutiveTripped(1, .consecutive5xx, now: t1, roll: always)
        #expect(m.sweep(now: t1 + .seconds(19), samples: [:], roll: always).isEmpty)
        #expect(m.sweep(now: t1 + .seconds(20), samples: [:], roll: always) == [.unejected(1)])
        // Third time: capped at max_ejection_time (20 s), not 30 s.
        let t2 = t1 + .seconds(20)
        _ = m.consecutiveTripped(1, .consecutive5xx, now: t2, roll: always)
        #expect(m.sweep(now: t2 + .seconds(20), samples: [:], roll: always) == [.unejected(1)])
        // Two sweeps in service, each an interval after unejection, shrink it back to base.
        let t3 = t2 + .seconds(20)
        _ = m.sweep(now: t3 + .seconds(1), samples: [:], roll: always)
        _ = m.sweep(now: t3 + .seconds(2), samples: [:], roll: always)
        _ = m.consecutiveTripped(1, .consecutive5xx, now: t3 + .seconds(2), roll: always)
        #expect(m.sweep(now: t3 + .seconds(12), samples: [:], roll: always) == [.unejected(1)])
    }

    @Test("success rate: Envoy's example {50, 100, 100, 100, 100} gives mean 90, threshold 52")
    func successRateMath() {
        let r = Machine.successRateThreshold([50, 100, 100, 100, 100], stdevFactor: 1.9)
        #expect(r.mean == 90)
        #expect(abs(r.threshold - 52) < 1e-9)
    }

    @Test("the success-rate sweep ejects the host below the threshold, with enough hosts and volume")
    func successRateSweep() {
        var m = Machine(config: config())
        m.setHosts([1, 2, 3, 4, 5])
        var samples: [Int: OutlierSample] = [:]
        for k in 2...5 { samples[k] = OutlierSample(externalTotal: 100, externalSuccess: 100) }
        samples[1] = OutlierSample(externalTotal: 100, externalSuccess: 50)
        let events = m.sweep(now: t0, samples: samples, roll: always)
        #expect(events == [.detected(.successRate), .ejected(1, .successRate)])
        #expect(m.successRateAverage == 90)
        #expect(m.successRate(2).external == 100)

        var few = Machine(config: config())
        few.setHosts([1, 2, 3, 4, 5])
        samples[1] = OutlierSample(externalTotal: 99, externalSuccess: 0)  // below request_volume 100
        // Only 4 hosts qualify for success rate (minimum 5); failure percentage is detected but
        // not enforced by default.
        #expect(few.sweep(now: t0, samples: samples, roll: always)
            == [.detected(.failurePercentage), .notEnforced(.failurePercentage)])
    }

    @Test("failure percentage ejects at or above the threshold when enforced")
    func failurePercentage() {
        var m = Machine(config: config { $0.enforcingFailurePercentage = 100; $0.successRateMinimumHosts = 100 })
        m.setHosts([1, 2, 3, 4, 5])
        var samples: [Int: OutlierSample] = [:]
        for k in 2...5 { samples[k] = OutlierSample(externalTotal: 50, externalSuccess: 50) }
        samples[1] = OutlierSample(externalTotal: 50, externalSuccess: 7)  // 86% failures
        #expect(m.sweep(now: t0, samples: samples, roll: always) == [.detected(.failurePercentage), .ejected(1, .failurePercentage)])
    }

    @Test("a passed active health check unejects, unless disabled")
    func activeUneject() {
        var m = Machine(config: config())
        m.setHosts([1, 2])
        _ = m.consecutiveTripped(1, .consecutive5xx, now: t0, roll: always)
        #expect(m.activeHealthCheckPassed(1, now: t0) == [.unejected(1)])
        var off = Machine(config: config { $0.successfulActiveHealthCheckUnejectHost = false })
        off.setHosts([1, 2])
        _ = off.consecutiveTripped(1, .consecutive5xx, now: t0, roll: always)
        #expect(off.activeHealthCheckPassed(1, now: t0).isEmpty)
    }

    @Test("removing an ejected host frees its ejection slot")
    func removal() {
        var m = Machine(config: config())
        m.setHosts([1, 2])
        _ = m.consecutiveTripped(1, .consecutive5xx, now: t0, roll: always)
        m.setHosts([2])
        #expect(m.ejectionsActive == 0)
    }
}
