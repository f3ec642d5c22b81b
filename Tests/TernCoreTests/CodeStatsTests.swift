import NIOCore
import Testing
import TernCore

/// Envoy's response-code counters: class (`upstream_rq_2xx`) and exact (`upstream_rq_200`).
@Suite struct CodeStatsTests {
    static func clusterScope(_ store: StatsStore) -> StatScope {
        store.root.scope("cluster.", tag: "envoy_cluster_name", value: "backend")
    }

    static func counter(_ store: StatsStore, _ flat: String) -> Counter? {
        store.all().counters.first { $0.name.flat == flat }
    }

    @Test func classCountersExistBeforeAnyResponse() {
        let store = StatsStore(workers: 2)
        _ = CodeStats(scope: Self.clusterScope(store), prefix: "upstream_rq_")
        #expect(store.all().counters.map(\.name.flat) == (1...5).map { "cluster.backend.upstream_rq_\($0)xx" })
        #expect(store.all().counters.allSatisfy { $0.value == 0 })
    }

    @Test func recordFillsClassAndExactCounters() throws {
        let store = StatsStore(workers: 2)
        let codes = CodeStats(scope: Self.clusterScope(store), prefix: "upstream_rq_")
        codes.record(200, worker: 0)
        codes.record(200, worker: 1)
        codes.record(204, worker: 1)
        codes.record(503, worker: 0)

        let class2 = try #require(Self.counter(store, "cluster.backend.upstream_rq_2xx"))
        #expect(class2.value == 3)
        #expect(class2.name.extracted == "cluster.upstream_rq_xx")
        #expect(class2.name.prometheusName == "envoy_cluster_upstream_rq_xx")
        #expect(class2.name.tags == [StatTag("envoy_response_code_class", "2"), StatTag("envoy_cluster_name", "backend")])

        let exact200 = try #require(Self.counter(store, "cluster.backend.upstream_rq_200"))
        #expect(exact200.value == 2)
        #expect(exact200.name.extracted == "cluster.upstream_rq")
        #expect(exact200.name.prometheusName == "envoy_cluster_upstream_rq")
        #expect(exact200.name.tags == [StatTag("envoy_response_code", "200"), StatTag("envoy_cluster_name", "backend")])

        #expect(Self.counter(store, "cluster.backend.upstream_rq_204")?.value == 1)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_5xx")?.value == 1)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_503")?.value == 1)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_4xx")?.value == 0)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_404") == nil)
        #expect(store.all().counters.count == 5 + 3)
    }

    @Test func withoutExactCodesOnlyClassesExist() throws {
        let store = StatsStore(workers: 1)
        let scope = store.root.scope("http.", tag: "envoy_http_conn_manager_prefix", value: "ingress")
        let codes = CodeStats(scope: scope, prefix: "downstream_rq_", exactCodes: false)
        for code in [200, 201, 404, 500, 101] { codes.record(code, worker: 0) }
        #expect(store.all().counters.map(\.name.flat) == (1...5).map { "http.ingress.downstream_rq_\($0)xx" })
        #expect(store.all().counters.map(\.value) == [1, 2, 0, 1, 1])
        let class4 = try #require(Self.counter(store, "http.ingress.downstream_rq_4xx"))
        #expect(class4.name.prometheusName == "envoy_http_downstream_rq_xx")
        #expect(class4.name.tags == [StatTag("envoy_response_code_class", "4"),
                                     StatTag("envoy_http_conn_manager_prefix", "ingress")])
    }

    @Test(arguments: [-1, 0, 99, 600, 999, Int.max, Int.min])
    func outOfRangeCodesAreIgnored(code: Int) {
        let store = StatsStore(workers: 1)
        let codes = CodeStats(scope: Self.clusterScope(store), prefix: "upstream_rq_")
        codes.record(code, worker: 0)
        #expect(store.all().counters.count == 5)
        #expect(store.all().counters.allSatisfy { $0.value == 0 })
    }

    @Test func boundaryCodesAreCounted() {
        let store = StatsStore(workers: 1)
        let codes = CodeStats(scope: Self.clusterScope(store), prefix: "upstream_rq_")
        codes.record(100, worker: 0)
        codes.record(599, worker: 0)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_1xx")?.value == 1)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_100")?.value == 1)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_5xx")?.value == 1)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_599")?.value == 1)
    }

    @Test func nonWorkerIndexIsCountedOnTheSharedSlot() {
        let store = StatsStore(workers: 2)
        let codes = CodeStats(scope: Self.clusterScope(store), prefix: "upstream_rq_")
        codes.record(302, worker: 2)
        codes.record(302, worker: 7)
        codes.record(302, worker: 0)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_3xx")?.value == 3)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_302")?.value == 3)
    }

    /// A recompiled cluster makes a new `CodeStats` over the same scope: the counters carry on.
    @Test func secondCodeStatsOverTheSameScopeSharesCounters() {
        let store = StatsStore(workers: 1)
        let first = CodeStats(scope: Self.clusterScope(store), prefix: "upstream_rq_")
        first.record(200, worker: 0)
        let second = CodeStats(scope: Self.clusterScope(store), prefix: "upstream_rq_")
        second.record(200, worker: 0)
        second.record(201, worker: 0)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_2xx")?.value == 3)
        #expect(Self.counter(store, "cluster.backend.upstream_rq_200")?.value == 2)
        #expect(store.all().counters.count == 7)
    }

    /// Every worker makes its cached exact counter the first time it sees a code; they must all get
    /// the same counter, so nothing is lost.
    @Test func workersRecordingConcurrentlySumExactly() async throws {
        let perWorker = 50_000
        let store = StatsStore(workers: 4)
        let codes = CodeStats(scope: Self.clusterScope(store), prefix: "upstream_rq_")
        try await withEventLoops(4) { loops in
            let futures = loops.enumerated().map { index, loop in
                loop.submit {
                    for i in 0..<perWorker { codes.record(i % 2 == 0 ? 200 : 404, worker: index) }
                }
            }
            try await EventLoopFuture.andAllSucceed(futures, on: loops[0]).get()
        }
        #expect(Self.counter(store, "cluster.backend.upstream_rq_200")?.value == UInt64(4 * perWorker / 2))
        #expect(Self.counter(store, "cluster.backend.upstream_rq_404")?.value == UInt64(4 * perWorker / 2))
        #expect(Self.counter(store, "cluster.backend.upstream_rq_2xx")?.value == UInt64(4 * perWorker / 2))
        #expect(Self.counter(store, "cluster.backend.upstream_rq_4xx")?.value == UInt64(4 * perWorker / 2))
        #expect(store.all().counters.count == 7)
    }
}
