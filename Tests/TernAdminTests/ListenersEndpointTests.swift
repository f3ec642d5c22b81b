import Testing
import TernAdmin

/// `/listeners` and `/drain_listeners`.
@Suite struct ListenersEndpointTests {
    @Test func text() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/listeners")
            #expect(r.status == 200)
            #expect(r.body == "ingress::127.0.0.1:10000\nvirtualOutbound::0.0.0.0:15001\nvirtualOutbound::[::]:15001\n")
        }
    }

    @Test func json() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/listeners?format=json")
            #expect(r.status == 200)
            #expect(r.contentType == "application/json")
            #expect(r.body == """
                {
                 "listener_statuses": [
                  {
                   "name": "ingress",
                   "local_address": {
                    "socket_address": {
                     "address": "127.0.0.1",
                     "port_value": 10000
                    }
                   }
                  },
                  {
                   "name": "virtualOutbound",
                   "local_address": {
                    "socket_address": {
                     "address": "0.0.0.0",
                     "port_value": 15001
                    }
                   },
                   "additional_local_addresses": [
                    {
                     "socket_address": {
                      "address": "::",
                      "port_value": 15001
                     }
                    }
                   ]
                  }
                 ]
                }
                """)
        }
    }

    @Test func drainIsPostOnlyAndPassesItsFlags() async throws {
        try await AdminHarness.with { admin in
            let get = try await admin.get("/drain_listeners?graceful")
            #expect(get.status == 405)
            #expect(admin.provider.record.read { $0.drains }.isEmpty)

            let now = try await admin.post("/drain_listeners")
            #expect(now.status == 200)
            #expect(now.body == "OK\n")
            let graceful = try await admin.post("/drain_listeners?graceful&inboundonly")
            #expect(graceful.body == "OK\n")
            let bad = try await admin.post("/drain_listeners?skip_exit")
            #expect(bad.status == 400)
            #expect(bad.body == "skip_exit requires graceful\n")

            #expect(admin.provider.record.read { $0.drains } == [
                AdminDrainRequest(),
                AdminDrainRequest(graceful: true, inboundOnly: true),
            ])
        }
    }
}
