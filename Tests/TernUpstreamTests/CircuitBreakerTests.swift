import Dispatch
import Testing
@testable import TernCore
import TernUpstream

@Suite struct CircuitBreakerTests {
    func manager(_ configure: (inout CircuitBreakerThresholds) -> Void) -> (ResourceManager, StatsStore) {
        let store = StatsStore(workers: 4)
        var t = CircuitBreakerThresholds()
        configure(&t)
        let breakers = ClusterCircuitBreakers(thresholds: [t], perHostMaxConnections: [], root: store.root, statName: "c")
        return (breakers.manager(.default), store)
    }

    func gauge(_ store: StatsStore, _ name: String) -> Int64? {
        store.all().gauges.first { $0.name.flat == name }?.value
    }

    @Test func defaultsAreEnvoys() {
        let t = CircuitBreakerThresholds()
        #expect(t.maxConnections == 1024 && t.maxPendingRequests == 1024 && t.maxRequests == 1024 && t.maxRetries == 3)
        #expect(CircuitBreakerThresholds.RetryBudget() == .init(percent: 20, minRetryConcurrency: 3))
    }

    @Test func limitIsExactAndGaugesFollow() {
        let (m, store) = manager { $0.maxRequests = 2; $0.trackRemaining = true }
        #expect(gauge(store, "cluster.c.circuit_breakers.default.remaining_rq") == 2)
        #expect(m.requests.tryAcquire(worker: 0))
        #expect(m.requests.tryAcquire(worker: 1))
        #expect(!m.requests.tryAcquire(worker: 2))
        #expect(gauge(store, "cluster.c.circuit_breakers.default.rq_open") == 1)
        #expect(gauge(store, "cluster.c.circuit_breakers.default.remaining_rq") == 0)
        m.requests.release(worker: 3)
        #expect(gauge(store, "cluster.c.circuit_breakers.default.rq_open") == 0)
        #expect(gauge(store, "cluster.c.circuit_breakers.default.remaining_rq") == 1)
        #expect(m.requests.current == 1)
        // Gauges Envoy always has exist without track_remaining too.
        #expect(gauge(store, "cluster.c.circuit_breakers.default.cx_open") == 0)
        #expect(gauge(store, "cluster.c.circuit_breakers.default.cx_pool_open") == 0)
        #expect(gauge(store, "cluster.c.circuit_breakers.high.rq_open") == 0)
    }

    @Test func concurrentAcquiresNeverOvershoot() async {
        let (m, _) = manager { $0.maxConnections = 7 }
        let granted = await withTaskGroup(of: Int.self) { group in
            for w in 0..<4 {
                group.addTask {
                    var n = 0
                    for _ in 0..<1000 where m.connections.tryAcquire(worker: w) { n += 1 }
                    return n
                }
            }
            return await group.reduce(0, +)
        }
        #expect(granted == 7)
        #expect(m.connections.current == 7)
    }

    @Test func forcedAcquireMayExceedTheLimit() {
        let (m, store) = manager { $0.maxConnections = 1 }
        #expect(m.connections.tryAcquire(worker: 0))
        m.connections.forceAcquire(worker: 0)
        #expect(m.connections.current == 2)
        #expect(gauge(store, "cluster.c.circuit_breakers.default.cx_open") == 1)
        m.connections.release(worker: 0)
        #expect(gauge(store, "cluster.c.circuit_breakers.default.cx_open") == 1)
        m.connections.release(worker: 0)
        #expect(gauge(store, "cluster.c.circuit_breakers.default.cx_open") == 0)
    }

    @Test func retryBudgetScalesWithActiveRequests() {
        let (m, _) = manager { $0.maxRetries = 1; $0.retryBudget = .init(percent: 50, minRetryConcurrency: 2) }
        // Idle: the minimum concurrency applies, and max_retries is ignored.
        #expect(m.retryLimit == 2)
        for _ in 0..<10 { _ = m.requests.tryAcquire(worker: 0) }
        for _ in 0..<2 { _ = m.pendingRequests.tryAcquire(worker: 0) }
        #expect(m.retryLimit == 6)
        let granted = (0..<7).map { _ in m.tryAcquireRetry(worker: 0) }
        #expect(granted == Array(repeating: true, count: 6) + [false])
    }

    @Test func perHostLimit() {
        let b = ClusterCircuitBreakers(thresholds: [], perHostMaxConnections: [2], root: StatsStore(workers: 1).root, statName: "h")
        #expect(b.hostAllowsConnection(.default, active: 1))
        #expect(!b.hostAllowsConnection(.default, active: 2))
        #expect(b.hostAllowsConnection(.high, active: 100))
    }
}
