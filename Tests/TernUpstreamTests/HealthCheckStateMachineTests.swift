import NIOCore
import Testing
import TernUpstream

@Suite("Active health check thresholds and intervals")
struct HealthCheckStateMachineTests {
    @Test("the first passed check marks a new (failed) host healthy at once, as Envoy")
    func firstCheckPasses() {
        var m = HealthCheckSessionStateMachine(healthyThreshold: 3, unhealthyThreshold: 3)
        var flags: HostHealthFlags = [.failedActiveHC]
        #expect(m.passed(degraded: false, flags: &flags) == .changed)
        #expect(flags.isEmpty)
    }

    @Test("a non-retriable active failure fails at once; network failures need unhealthy_threshold")
    func failureKinds() {
        var m = HealthCheckSessionStateMachine(healthyThreshold: 2, unhealthyThreshold: 3)
        var flags: HostHealthFlags = []
        #expect(m.failed(.network, retriable: false, flags: &flags) == .changePending)
        #expect(m.failed(.active, retriable: true, flags: &flags) == .changePending)
        #expect(!flags.contains(.failedActiveHC))
        #expect(m.failed(.network, retriable: false, flags: &flags) == .changed)
        #expect(flags.contains(.failedActiveHC))

        var m2 = HealthCheckSessionStateMachine(healthyThreshold: 2, unhealthyThreshold: 3)
        var healthy: HostHealthFlags = []
        #expect(m2.failed(.active, retriable: false, flags: &healthy) == .changed)
        #expect(healthy.contains(.failedActiveHC))
    }

    @Test("after the first check, recovery takes healthy_threshold passes in a row")
    func recovery() {
        var m = HealthCheckSessionStateMachine(healthyThreshold: 2, unhealthyThreshold: 1)
        var flags: HostHealthFlags = [.failedActiveHC]
        #expect(m.failed(.network, retriable: false, flags: &flags) == .unchanged)
        #expect(m.passed(degraded: false, flags: &flags) == .changePending)
        #expect(m.failed(.network, retriable: false, flags: &flags) == .unchanged)
        #expect(m.passed(degraded: false, flags: &flags) == .changePending)
        #expect(m.passed(degraded: true, flags: &flags) == .changed)
        #expect(flags == [.degradedActiveHC])
    }

    @Test("intervals: no traffic, healthy, unhealthy and the edges, plus jitter")
    func intervals() {
        let c = HealthCheckConfig(kind: .tcp(TCPHealthCheckConfig(send: [], receive: [])), timeout: .seconds(1),
                                  interval: .seconds(10), noTrafficInterval: .seconds(60), unhealthyInterval: .seconds(20),
                                  unhealthyEdgeInterval: .seconds(3), healthyEdgeInterval: .seconds(4),
                                  intervalJitter: .milliseconds(100), unhealthyThreshold: 2, healthyThreshold: 2)
        let none: (UInt64) -> UInt64 = { _ in 0 }
        #expect(c.nextInterval(passed: true, transition: .unchanged, hasTraffic: false, random: none) == .seconds(60))
        #expect(c.nextInterval(passed: true, transition: .unchanged, hasTraffic: true, random: none) == .seconds(10))
        #expect(c.nextInterval(passed: true, transition: .changePending, hasTraffic: true, random: none) == .seconds(4))
        #expect(c.nextInterval(passed: false, transition: .changed, hasTraffic: true, random: none) == .seconds(20))
        #expect(c.nextInterval(passed: false, transition: .changePending, hasTraffic: true, random: none) == .seconds(3))
        #expect(c.nextInterval(passed: true, transition: .unchanged, hasTraffic: true, random: { $0 - 1 })
            == .milliseconds(10_099))
    }

    @Test("HTTP verdicts: expected, retriable and other statuses")
    func httpVerdicts() {
        let h = HTTPHealthCheckConfig(host: "", path: "/healthz", expectedStatuses: [200..<201, 204..<205],
                                      retriableStatuses: [503..<504])
        #expect(h.verdict(status: 200) == .passed)
        #expect(h.verdict(status: 204) == .passed)
        #expect(h.verdict(status: 201) == .failed)
        #expect(h.verdict(status: 503) == .retriableFailure)
    }
}

@Suite("TCP health check payload matching")
struct HealthCheckPayloadMatcherTests {
    @Test("segments must appear in order, each after the previous one")
    func inOrder() {
        let data = Array("xxPONGyyOK".utf8)
        #expect(HealthCheckPayloadMatcher.matches([Array("PONG".utf8), Array("OK".utf8)], in: data))
        #expect(!HealthCheckPayloadMatcher.matches([Array("OK".utf8), Array("PONG".utf8)], in: data))
        #expect(!HealthCheckPayloadMatcher.matches([Array("PONGPONG".utf8)], in: data))
        #expect(HealthCheckPayloadMatcher.matches([], in: data))
    }

    @Test("hex text payloads decode as Envoy's, and bad hex is refused")
    func hex() {
        #expect(HealthCheckPayloadMatcher.decodeHex("000000FF") == [0, 0, 0, 0xFF])
        #expect(HealthCheckPayloadMatcher.decodeHex("50494e47") == Array("PING".utf8))
        #expect(HealthCheckPayloadMatcher.decodeHex("ABC") == nil)
        #expect(HealthCheckPayloadMatcher.decodeHex("zz") == nil)
    }
}
