import Testing

/// `/stats` over HTTP: Envoy's text lines, sorting, `filter`, `usedonly`, `type` and JSON.
@Suite struct StatsEndpointTests {
    @Test func textListsCountersAndGaugesSortedByName() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/stats")
            #expect(r.status == 200)
            #expect(r.contentType == "text/plain; charset=UTF-8")
            #expect(r.body == """
                cluster.backend.upstream_cx_active: 1
                cluster.backend.upstream_rq_2xx: 2
                cluster.backend.upstream_rq_total: 3
                cluster.other.upstream_rq_total: 0
                http.ingress.downstream_rq_total: 2
                server.live: 1
                server.zero: 0

                """)
        }
    }

    @Test func usedOnlyDropsUnwrittenStats() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/stats?usedonly")
            #expect(r.lines == [
                "cluster.backend.upstream_cx_active: 1",
                "cluster.backend.upstream_rq_2xx: 2",
                "cluster.backend.upstream_rq_total: 3",
                "http.ingress.downstream_rq_total: 2",
                "server.live: 1",
                "",
            ])
        }
    }

    @Test func filterIsAPartialRegexMatchOnTheFlatName() async throws {
        try await AdminHarness.with { admin in
            // ^cluster\.backend\.upstream_rq
            let anchored = try await admin.get("/stats?filter=%5Ecluster%5C.backend%5C.upstream_rq")
            #expect(anchored.lines == ["cluster.backend.upstream_rq_2xx: 2", "cluster.backend.upstream_rq_total: 3", ""])

            let partial = try await admin.get("/stats?filter=rq_total&usedonly")
            #expect(partial.lines == ["cluster.backend.upstream_rq_total: 3", "http.ingress.downstream_rq_total: 2", ""])

            let none = try await admin.get("/stats?filter=nothing_matches")
            #expect(none.status == 200)
            #expect(none.body == "")
        }
    }

    @Test func badFilterAndBadParametersAre400() async throws {
        try await AdminHarness.with { admin in
            let regex = try await admin.get("/stats?filter=(")
            #expect(regex.status == 400)
            #expect(regex.body == "Invalid re2 regex")

            let type = try await admin.get("/stats?type=Bogus")
            #expect(type.status == 400)
            #expect(type.body == "invalid &type= param")

            let format = try await admin.get("/stats?format=xml")
            #expect(format.status == 400)
            #expect(format.body.hasPrefix("usage: /stats?format="))
        }
    }

    @Test func typeSelectsCountersOrGauges() async throws {
        try await AdminHarness.with { admin in
            let gauges = try await admin.get("/stats?type=Gauges")
            #expect(gauges.lines == ["cluster.backend.upstream_cx_active: 1", "server.live: 1", "server.zero: 0", ""])
            let counters = try await admin.get("/stats?type=Counters&filter=backend")
            #expect(counters.lines == ["cluster.backend.upstream_rq_2xx: 2", "cluster.backend.upstream_rq_total: 3", ""])
        }
    }

    @Test func jsonFormat() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/stats?format=json&usedonly&filter=backend")
            #expect(r.status == 200)
            #expect(r.contentType == "application/json")
            #expect(r.body == #"{"stats":[{"name":"cluster.backend.upstream_cx_active","value":1},"#
                + #"{"name":"cluster.backend.upstream_rq_2xx","value":2},"#
                + #"{"name":"cluster.backend.upstream_rq_total","value":3}]}"#)
        }
    }

    @Test func valuesAreReadAtRequestTime() async throws {
        try await AdminHarness.with { admin in
            let backend = admin.stats.root.scope("cluster.", tag: "envoy_cluster_name", value: "backend")
            backend.counter("upstream_rq_total").inc(worker: 1, by: 10)
            let r = try await admin.get("/stats?filter=backend.upstream_rq_total")
            #expect(r.lines == ["cluster.backend.upstream_rq_total: 13", ""])
        }
    }
}
