import Foundation
import Testing
import TernAdmin

/// `/ready`, `/server_info`, the POST-only commands, `/config_dump`, help and unknown paths.
@Suite struct ServerEndpointTests {
    @Test func readyFollowsHealthCheckFailure() async throws {
        try await AdminHarness.with { admin in
            let live = try await admin.get("/ready")
            #expect(live.status == 200)
            #expect(live.body == "LIVE\n")

            let fail = try await admin.post("/healthcheck/fail")
            #expect(fail.status == 200)
            #expect(fail.body == "OK\n")

            let draining = try await admin.get("/ready")
            #expect(draining.status == 503)
            #expect(draining.body == "DRAINING\n")

            let ok = try await admin.post("/healthcheck/ok")
            #expect(ok.body == "OK\n")
            let liveAgain = try await admin.get("/ready")
            #expect(liveAgain.status == 200)
        }
    }

    @Test(arguments: ["/healthcheck/fail", "/healthcheck/ok", "/quitquitquit", "/logging", "/drain_listeners"])
    func mutatingEndpointsRejectGet(path: String) async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get(path)
            #expect(r.status == 405)
            #expect(r.body == "Method GET not allowed, POST required.")
            #expect(admin.provider.record.read { !$0.healthCheckFailed && $0.quits == 0 })
        }
    }

    @Test func quitAnswersThenQuits() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.post("/quitquitquit")
            #expect(r.status == 200)
            #expect(r.body == "OK\n")
            for _ in 0..<100 where admin.provider.record.read({ $0.quits }) == 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(admin.provider.record.read { $0.quits } == 1)
        }
    }

    @Test func serverInfo() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/server_info")
            #expect(r.status == 200)
            #expect(r.contentType == "application/json")
            #expect(r.body == """
                {
                 "version": "abc123/0.1.0/Clean/RELEASE/BoringSSL",
                 "state": "LIVE",
                 "uptime_current_epoch": "42s",
                 "uptime_all_epochs": "42s",
                 "hot_restart_version": "disabled",
                 "command_line_options": {
                  "concurrency": 2,
                  "drain_time": "600s",
                  "log_level": "info"
                 },
                 "node": {
                  "id": "sidecar~10.0.0.1~app.default~default.svc.cluster.local",
                  "cluster": "app.default"
                 }
                }
                """)
        }
    }

    @Test func configDumpPassesQueryAndErrors() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/config_dump?resource=dynamic_active_clusters&include_eds")
            #expect(r.status == 200)
            #expect(r.contentType == "application/json")
            #expect(r.body == "{\n \"configs\": []\n}\n")
            let bad = try await admin.get("/config_dump?resource=bogus")
            #expect(bad.status == 404)
            #expect(bad.body == "The resource bogus is not known.\n")
            #expect(admin.provider.record.read { $0.configDumps } == [
                AdminConfigDumpRequest(resource: "dynamic_active_clusters", includeEDS: true),
                AdminConfigDumpRequest(resource: "bogus"),
            ])
        }
    }

    @Test func unknownPathIs404WithHelp() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/nope?x=1")
            #expect(r.status == 404)
            #expect(r.body.hasPrefix("invalid path. admin commands are:\n"))
            // Exact match only: a path with a known prefix is still unknown.
            let prefixOnly = try await admin.get("/stats/nope")
            #expect(prefixOnly.status == 404)
        }
    }

    @Test func memoryPrintsEnvoysFieldsWithTheAllocatorsTotals() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/memory")
            #expect(r.status == 200)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: String])
            #expect(Set(root.keys) == ["allocated", "heap_size", "pageheap_unmapped", "pageheap_free",
                                       "total_thread_cache", "total_physical_bytes"])
            let allocated = try #require(root["allocated"].flatMap { Int($0) })
            let heap = try #require(root["heap_size"].flatMap { Int($0) })
            // This test process itself has allocated at least a megabyte, all of it within the heap.
            #expect(allocated > 1 << 20)
            #expect(heap >= allocated)
        }
    }

    @Test func helpListsEndpointsSortedWithPostMarks() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/help")
            #expect(r.status == 200)
            let entries = r.lines.filter { $0.hasPrefix("  /") }.map { String($0.dropFirst(2).prefix { $0 != ":" }) }
            #expect(entries == [
                "/", "/clusters", "/config_dump", "/drain_listeners (POST)", "/healthcheck/fail (POST)",
                "/healthcheck/ok (POST)", "/help", "/listeners", "/logging (POST)", "/memory", "/quitquitquit (POST)", "/ready",
                "/server_info", "/stats", "/stats/prometheus",
            ])
            #expect(r.lines.contains("      usedonly: only stats that have been written (counters above 0, gauges not 0)"))
            let home = try await admin.get("/")
            #expect(home.body == r.body)
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await AdminHarness.with { admin in
            // One curl run, three URLs: curl reuses the connection when the server keeps it open,
            // and reports how many new connections each transfer needed.
            let out = try await Curl.run(["-s", "-w", "|%{http_code}|%{num_connects}\n",
                                          admin.base + "/ready", admin.base + "/nope", admin.base + "/ready"])
            let lines = out.split(separator: "\n").filter { $0.contains("|") }.map { String($0.drop { $0 != "|" }) }
            #expect(lines == ["|200|1", "|404|0", "|200|0"])
        }
    }
}
