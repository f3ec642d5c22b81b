import NIOCore
import Testing
import TernCore

/// `StatsStore`: one object per flat name, and exact sums from per-worker slots written by real threads.
@Suite struct StatsStoreTests {
    @Test func counterIsMadeOncePerFlatName() {
        let store = StatsStore(workers: 2)
        let name = StatName(flat: "cluster.a.upstream_rq_total", extracted: "cluster.upstream_rq_total",
                            tags: [StatTag("envoy_cluster_name", "a")])
        let first = store.counter(name)
        let second = store.counter(name)
        #expect(first === second)
        // The flat name is the key: a second spelling of the same flat name gets the first object.
        let other = store.counter(StatName(flat: name.flat, extracted: "other", tags: []))
        #expect(other === first)
        #expect(other.name.extracted == "cluster.upstream_rq_total")
        #expect(store.counter(StatName(flat: "cluster.b.upstream_rq_total", extracted: "x", tags: [])) !== first)
        #expect(store.all().counters.count == 2)
    }

    @Test func gaugeIsMadeOncePerFlatNameSeparatelyFromCounters() {
        let store = StatsStore(workers: 1)
        let g1 = store.root.gauge("server.live")
        let g2 = store.root.gauge("server.live")
        #expect(g1 === g2)
        // Counters and gauges are separate namespaces.
        let c = store.root.counter("server.live")
        c.incShared(by: 5)
        g1.set(1)
        #expect(c.value == 5)
        #expect(g1.value == 1)
        let all = store.all()
        #expect(all.counters.map(\.name.flat) == ["server.live"])
        #expect(all.gauges.map(\.name.flat) == ["server.live"])
    }

    @Test func allIsSortedByFlatName() {
        let store = StatsStore(workers: 1)
        for flat in ["b.x", "a.z", "c", "a.a"] {
            _ = store.root.counter(flat)
            _ = store.root.gauge("g." + flat)
        }
        let all = store.all()
        #expect(all.counters.map(\.name.flat) == ["a.a", "a.z", "b.x", "c"])
        #expect(all.gauges.map(\.name.flat) == ["g.a.a", "g.a.z", "g.b.x", "g.c"])
    }

    @Test func workerCountIsAtLeastOne() {
        #expect(StatsStore(workers: 0).workers == 1)
        #expect(StatsStore(workers: -3).workers == 1)
        #expect(StatsStore(workers: 4).workers == 4)
    }

    @Test func concurrentLookupsReturnOneObject() async throws {
        let store = StatsStore(workers: 4)
        let ids = try await withEventLoops(4) { loops in
            try await EventLoopFuture.whenAllSucceed(loops.map { loop in
                loop.submit { () -> [ObjectIdentifier] in
                    (0..<200).map { ObjectIdentifier(store.root.counter("race.\($0 % 20)")) }
                }
            }, on: loops[0]).get()
        }
        for perLoop in ids { #expect(perLoop == ids[0]) }
        #expect(store.all().counters.count == 20)
    }

    /// Four event loops each add on their own worker slot while two other threads add on the
    /// shared slot; the sum is exact, so no write was lost.
    @Test func perWorkerAndSharedIncrementsSumExactly() async throws {
        let perThread = 200_000
        let store = StatsStore(workers: 4)
        let counter = store.root.counter("test.total")
        let gauge = store.root.gauge("test.active")
        try await withEventLoops(6) { loops in
            // Loops 0..<4 are the workers, each on its own slot; loops 4 and 5 stand for the admin
            // and control threads, adding on the shared slot at the same time.
            var futures: [EventLoopFuture<Void>] = []
            for (index, loop) in loops.prefix(4).enumerated() {
                futures.append(loop.submit {
                    for i in 0..<perThread {
                        counter.inc(worker: index)
                        gauge.inc(worker: index)
                        if i % 2 == 0 { gauge.dec(worker: index) }
                    }
                })
            }
            for loop in loops.suffix(2) {
                futures.append(loop.submit {
                    for _ in 0..<perThread {
                        counter.incShared()
                        gauge.incShared()
                    }
                    for _ in 0..<(perThread / 4) { gauge.decShared() }
                })
            }
            try await EventLoopFuture.andAllSucceed(futures, on: loops[0]).get()
        }
        #expect(counter.value == UInt64(6 * perThread))
        #expect(gauge.value == Int64(4 * perThread / 2 + 2 * perThread - 2 * perThread / 4))
    }

    @Test func counterIncByDeltaAndOutOfRangeWorkerUsesSharedSlot() {
        let store = StatsStore(workers: 2)
        let c = store.root.counter("c")
        c.inc(worker: 0, by: 10)
        c.inc(worker: 1)
        // An index past the workers (a non-worker caller) lands on the shared slot, not out of bounds.
        c.inc(worker: 2, by: 100)
        c.inc(worker: 50, by: 1000)
        c.incShared(by: 7)
        #expect(c.value == 1118)
    }
}
