import Testing
import TernCore

/// Gauges go up and down per worker and shared, and `set` wins over what workers added.
@Suite struct GaugeTests {
    @Test func upAndDownAcrossWorkers() {
        let store = StatsStore(workers: 3)
        let g = store.root.gauge("downstream_cx_active")
        #expect(g.value == 0)
        g.inc(worker: 0)
        g.inc(worker: 0)
        g.inc(worker: 1)
        #expect(g.value == 3)
        // A connection opened on worker 0 may be counted down on another slot; the sum is what matters.
        g.dec(worker: 2)
        g.dec(worker: 2)
        #expect(g.value == 1)
        g.dec(worker: 1)
        g.dec(worker: 1)
        #expect(g.value == -1)
        g.incShared()
        #expect(g.value == 0)
        g.decShared()
        g.decShared()
        #expect(g.value == -2)
    }

    @Test func setOverridesWorkerContributions() {
        let store = StatsStore(workers: 2)
        let g = store.root.gauge("membership_total")
        g.inc(worker: 0)
        g.inc(worker: 0)
        g.inc(worker: 1)
        g.set(10)
        #expect(g.value == 10)
        g.set(3)
        #expect(g.value == 3)
        g.set(0)
        #expect(g.value == 0)
        g.set(-4)
        #expect(g.value == -4)
        g.incShared()
        #expect(g.value == -3)
        g.set(Int64.max)
        #expect(g.value == Int64.max)
        g.set(Int64.min)
        #expect(g.value == Int64.min)
    }

    @Test func workerChangesAfterSetAreKept() {
        let store = StatsStore(workers: 2)
        let g = store.root.gauge("g")
        g.set(5)
        g.inc(worker: 1)
        g.dec(worker: 0)
        g.dec(worker: 0)
        #expect(g.value == 4)
    }
}
