import Testing
@testable import TernAdmin

/// `/stats/prometheus`: `# TYPE` lines, labelled samples in Envoy's order, counters before gauges.
@Suite struct PrometheusEndpointTests {
    @Test func exposition() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/stats/prometheus")
            #expect(r.status == 200)
            #expect(r.contentType == "text/plain; charset=UTF-8")
            #expect(r.body == """
                # TYPE envoy_cluster_upstream_rq_total counter
                envoy_cluster_upstream_rq_total{envoy_cluster_name="backend"} 3
                envoy_cluster_upstream_rq_total{envoy_cluster_name="other"} 0
                # TYPE envoy_cluster_upstream_rq_xx counter
                envoy_cluster_upstream_rq_xx{envoy_response_code_class="2",envoy_cluster_name="backend"} 2
                # TYPE envoy_http_downstream_rq_total counter
                envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix="ingress"} 2
                # TYPE envoy_cluster_upstream_cx_active gauge
                envoy_cluster_upstream_cx_active{envoy_cluster_name="backend"} 1
                # TYPE envoy_server_live gauge
                envoy_server_live{} 1
                # TYPE envoy_server_zero gauge
                envoy_server_zero{} 0

                """)
        }
    }

    @Test func usedOnlyAndFilter() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/stats/prometheus?usedonly&filter=%5Ecluster%5C.")
            #expect(r.body == """
                # TYPE envoy_cluster_upstream_rq_total counter
                envoy_cluster_upstream_rq_total{envoy_cluster_name="backend"} 3
                # TYPE envoy_cluster_upstream_rq_xx counter
                envoy_cluster_upstream_rq_xx{envoy_response_code_class="2",envoy_cluster_name="backend"} 2
                # TYPE envoy_cluster_upstream_cx_active gauge
                envoy_cluster_upstream_cx_active{envoy_cluster_name="backend"} 1

                """)
        }
    }

    @Test func statsFormatPrometheusIsTheSame() async throws {
        try await AdminHarness.with { admin in
            let a = try await admin.get("/stats/prometheus?filter=server")
            let b = try await admin.get("/stats?format=prometheus&filter=server")
            #expect(a.body == b.body)
            #expect(a.body == "# TYPE envoy_server_live gauge\nenvoy_server_live{} 1\n# TYPE envoy_server_zero gauge\nenvoy_server_zero{} 0\n")
        }
    }

    @Test func labelValuesAreEscapedAndNamesSanitized() {
        let labels = PrometheusStatsHandler.labels([.init("envoy.odd-name", #"a\b"c"# + "\nd")])
        #expect(labels == #"envoy_odd_name="a\\b\"c\nd""#)
    }

    @Test func groupsSortBySegmentsLikeEnvoy() {
        #expect(PrometheusStatsHandler.segmentLess("a.b", "a-c.x"))
        #expect(!PrometheusStatsHandler.segmentLess("a-c.x", "a.b"))
        #expect(PrometheusStatsHandler.segmentLess("cluster.x", "cluster.x.y"))
        #expect(!PrometheusStatsHandler.segmentLess("cluster.x", "cluster.x"))
    }
}
