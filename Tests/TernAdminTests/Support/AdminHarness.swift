import NIOCore
import NIOPosix
import TernAdmin
import TernCore

/// A running `AdminServer` on 127.0.0.1 port 0 over a `TestProvider` and a real `StatsStore`
/// holding a few stats written the way workers write them.
struct AdminHarness {
    let server: AdminServer
    let provider: TestProvider
    let stats: StatsStore
    let base: String

    /// Starts a server, runs `body`, and always shuts the server down.
    static func with(provider: TestProvider = TestProvider(), stats: StatsStore = AdminHarness.sampleStats(),
                     _ body: (AdminHarness) async throws -> Void) async throws {
        let server = AdminServer(address: try SocketAddress(ipAddress: "127.0.0.1", port: 0),
                                 group: MultiThreadedEventLoopGroup.singleton, provider: provider, stats: stats)
        let bound = try await server.start()
        let harness = AdminHarness(server: server, provider: provider, stats: stats,
                                   base: "http://127.0.0.1:\(bound.port ?? 0)")
        do {
            try await body(harness)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    func get(_ pathAndQuery: String) async throws -> CurlResult { try await Curl.request("GET", base + pathAndQuery) }
    func post(_ pathAndQuery: String) async throws -> CurlResult { try await Curl.request("POST", base + pathAndQuery) }

    /// Two workers; values: backend rq_total 3 (both workers), backend rq_2xx 2, other rq_total 0,
    /// ingress downstream_rq_total 2, backend cx_active 1, server.live 1, server.zero 0.
    static func sampleStats() -> StatsStore {
        let store = StatsStore(workers: 2)
        let backend = store.root.scope("cluster.", tag: "envoy_cluster_name", value: "backend")
        let rqTotal = backend.counter("upstream_rq_total")
        rqTotal.inc(worker: 0)
        rqTotal.inc(worker: 1)
        rqTotal.inc(worker: 0)
        let rq2xx = backend.counter("upstream_rq_2xx", extracted: "upstream_rq_xx",
                                    tag: StatTag("envoy_response_code_class", "2"))
        rq2xx.inc(worker: 1, by: 2)
        _ = store.root.scope("cluster.", tag: "envoy_cluster_name", value: "other").counter("upstream_rq_total")
        let http = store.root.scope("http.", tag: "envoy_http_conn_manager_prefix", value: "ingress")
        http.counter("downstream_rq_total").inc(worker: 0, by: 2)
        backend.gauge("upstream_cx_active").inc(worker: 1)
        store.root.gauge("server.live").set(1)
        _ = store.root.gauge("server.zero")
        return store
    }
}
