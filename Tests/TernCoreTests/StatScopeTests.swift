import Testing
import TernCore

/// `StatScope` builds Envoy's flat name and, beside it, the tag-extracted name and tags.
@Suite struct StatScopeTests {
    @Test func clusterScopeFlatAndExtractedNames() {
        let store = StatsStore(workers: 1)
        let scope = store.root.scope("cluster.", tag: "envoy_cluster_name", value: "backend")
        let c = scope.counter("upstream_rq_total")
        #expect(c.name.flat == "cluster.backend.upstream_rq_total")
        #expect(c.name.extracted == "cluster.upstream_rq_total")
        #expect(c.name.prometheusName == "envoy_cluster_upstream_rq_total")
        #expect(c.name.tags == [StatTag("envoy_cluster_name", "backend")])
        let g = scope.gauge("upstream_cx_active")
        #expect(g.name.flat == "cluster.backend.upstream_cx_active")
        #expect(g.name.prometheusName == "envoy_cluster_upstream_cx_active")
        #expect(g.name.tags == [StatTag("envoy_cluster_name", "backend")])
    }

    @Test func dottedClusterNameStaysIntact() {
        let store = StatsStore(workers: 1)
        let scope = store.root.scope("cluster.", tag: "envoy_cluster_name", value: "backend.svc.cluster.local")
        let name = scope.name("upstream_rq_total")
        #expect(name.flat == "cluster.backend.svc.cluster.local.upstream_rq_total")
        #expect(name.extracted == "cluster.upstream_rq_total")
        #expect(name.prometheusName == "envoy_cluster_upstream_rq_total")
        #expect(name.tags == [StatTag("envoy_cluster_name", "backend.svc.cluster.local")])
    }

    @Test func rootScopeHasNoPrefixOrTags() {
        let store = StatsStore(workers: 1)
        let name = store.root.name("server.live")
        #expect(name.flat == "server.live")
        #expect(name.extracted == "server.live")
        #expect(name.tags.isEmpty)
        #expect(name.prometheusName == "envoy_server_live")
        #expect(store.root.flatPrefix.isEmpty)
        #expect(store.root.store === store)
    }

    @Test func fixedSegmentKeepsTagsAndAddsToBothNames() {
        let store = StatsStore(workers: 1)
        let scope = store.root.scope("http.", tag: "envoy_http_conn_manager_prefix", value: "ingress")
            .scope("downstream_cx_")
        let name = scope.name("total")
        #expect(name.flat == "http.ingress.downstream_cx_total")
        #expect(name.extracted == "http.downstream_cx_total")
        #expect(name.tags == [StatTag("envoy_http_conn_manager_prefix", "ingress")])
    }

    /// Tags are innermost first, as Envoy prints them.
    @Test func nestedTagsInnermostFirst() {
        let store = StatsStore(workers: 1)
        let scope = store.root
            .scope("listener.", tag: "envoy_listener_address", value: "0.0.0.0_8080")
            .scope("http.", tag: "envoy_http_conn_manager_prefix", value: "ingress")
        let c = scope.counter("downstream_rq_total")
        #expect(c.name.flat == "listener.0.0.0.0_8080.http.ingress.downstream_rq_total")
        #expect(c.name.extracted == "listener.http.downstream_rq_total")
        #expect(c.name.prometheusName == "envoy_listener_http_downstream_rq_total")
        #expect(c.name.tags == [StatTag("envoy_http_conn_manager_prefix", "ingress"),
                                StatTag("envoy_listener_address", "0.0.0.0_8080")])
    }

    @Test func counterWithExtraTagPutsItFirst() {
        let store = StatsStore(workers: 1)
        let scope = store.root.scope("cluster.", tag: "envoy_cluster_name", value: "backend")
        let c = scope.counter("upstream_rq_2xx", extracted: "upstream_rq_xx",
                              tag: StatTag("envoy_response_code_class", "2"))
        #expect(c.name.flat == "cluster.backend.upstream_rq_2xx")
        #expect(c.name.extracted == "cluster.upstream_rq_xx")
        #expect(c.name.prometheusName == "envoy_cluster_upstream_rq_xx")
        #expect(c.name.tags == [StatTag("envoy_response_code_class", "2"), StatTag("envoy_cluster_name", "backend")])
    }

    @Test func scopesOverOneStoreShareStats() {
        let store = StatsStore(workers: 1)
        let a = store.root.scope("cluster.", tag: "envoy_cluster_name", value: "x").counter("upstream_rq_total")
        let b = store.root.scope("cluster.x.").counter("upstream_rq_total")
        // Same flat name: the store hands back the first object (with its tags).
        #expect(a === b)
        #expect(b.name.tags == [StatTag("envoy_cluster_name", "x")])
    }

    @Test(arguments: [
        ("cluster.upstream_rq_total", "envoy_cluster_upstream_rq_total"),
        ("tcp.my-proxy.downstream_cx_total", "envoy_tcp_my_proxy_downstream_cx_total"),
        ("http.a:b/c d", "envoy_http_a_b_c_d"),
        ("server.version_2", "envoy_server_version_2"),
        // Prometheus names are ASCII: other letters and digits become `_`, as in Envoy.
        ("http.caf\u{E9}.x\u{B2}", "envoy_http_caf__x_"),
    ])
    func prometheusNameSanitizes(extracted: String, expected: String) {
        #expect(StatName(flat: "f", extracted: extracted, tags: []).prometheusName == expected)
    }
}
