import Testing
import TernAdmin

/// `/clusters` text and JSON in Envoy's layout.
@Suite struct ClustersEndpointTests {
    @Test func textLayout() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/clusters")
            #expect(r.status == 200)
            #expect(r.body == """
                backend::observability_name::backend
                backend::default_priority::max_connections::1024
                backend::default_priority::max_pending_requests::1024
                backend::default_priority::max_requests::1024
                backend::default_priority::max_retries::3
                backend::high_priority::max_connections::1024
                backend::high_priority::max_pending_requests::1024
                backend::high_priority::max_requests::1024
                backend::high_priority::max_retries::3
                backend::added_via_api::false
                backend::127.0.0.1:8080::cx_active::1
                backend::127.0.0.1:8080::cx_connect_fail::0
                backend::127.0.0.1:8080::cx_total::3
                backend::127.0.0.1:8080::rq_active::0
                backend::127.0.0.1:8080::rq_error::1
                backend::127.0.0.1:8080::rq_success::4
                backend::127.0.0.1:8080::rq_timeout::0
                backend::127.0.0.1:8080::rq_total::5
                backend::127.0.0.1:8080::hostname::backend-0
                backend::127.0.0.1:8080::health_flags::healthy
                backend::127.0.0.1:8080::weight::1
                backend::127.0.0.1:8080::region::
                backend::127.0.0.1:8080::zone::
                backend::127.0.0.1:8080::sub_zone::
                backend::127.0.0.1:8080::canary::false
                backend::127.0.0.1:8080::priority::0
                backend::127.0.0.1:8080::success_rate::-1
                backend::127.0.0.1:8080::local_origin_success_rate::-1

                """)
        }
    }

    @Test func outlierEdsAndUnhealthyHost() async throws {
        var provider = TestProvider()
        provider.clusterStatuses = [AdminClusterStatus(
            name: "outbound|80||svc.ns", observabilityName: "svc_stat", addedViaAPI: true, edsServiceName: "svc.ns",
            outlier: .init(successRateAverage: 99.123456, successRateEjectionThreshold: 95),
            hosts: [.init(address: "10.0.0.2:80", weight: 2, priority: 1, healthFlags: "/failed_active_hc/failed_outlier_check",
                          zone: "z1", successRate: 87.5)])]
        try await AdminHarness.with(provider: provider) { admin in
            let lines = try await admin.get("/clusters").lines
            let c = "outbound|80||svc.ns"
            #expect(lines[0] == "\(c)::observability_name::svc_stat")
            #expect(lines[1] == "\(c)::outlier::success_rate_average::99.1235")
            #expect(lines[2] == "\(c)::outlier::success_rate_ejection_threshold::95")
            #expect(lines[3] == "\(c)::outlier::local_origin_success_rate_average::-1")
            #expect(lines.contains("\(c)::added_via_api::true"))
            #expect(lines.contains("\(c)::eds_service_name::svc.ns"))
            #expect(lines.contains("\(c)::10.0.0.2:80::health_flags::/failed_active_hc/failed_outlier_check"))
            #expect(lines.contains("\(c)::10.0.0.2:80::weight::2"))
            #expect(lines.contains("\(c)::10.0.0.2:80::zone::z1"))
            #expect(lines.contains("\(c)::10.0.0.2:80::priority::1"))
            #expect(lines.contains("\(c)::10.0.0.2:80::success_rate::87.5"))
        }
    }

    @Test func json() async throws {
        try await AdminHarness.with { admin in
            let r = try await admin.get("/clusters?format=json")
            #expect(r.contentType == "application/json")
            #expect(r.body == """
                {
                 "cluster_statuses": [
                  {
                   "name": "backend",
                   "host_statuses": [
                    {
                     "address": {
                      "socket_address": {
                       "address": "127.0.0.1",
                       "port_value": 8080
                      }
                     },
                     "stats": [
                      {
                       "name": "cx_connect_fail"
                      },
                      {
                       "value": "3",
                       "name": "cx_total"
                      },
                      {
                       "value": "1",
                       "name": "rq_error"
                      },
                      {
                       "value": "4",
                       "name": "rq_success"
                      },
                      {
                       "name": "rq_timeout"
                      },
                      {
                       "value": "5",
                       "name": "rq_total"
                      },
                      {
                       "type": "GAUGE",
                       "value": "1",
                       "name": "cx_active"
                      },
                      {
                       "type": "GAUGE",
                       "name": "rq_active"
                      }
                     ],
                     "health_status": {
                      "eds_health_status": "HEALTHY"
                     },
                     "weight": 1,
                     "hostname": "backend-0",
                     "locality": {}
                    }
                   ],
                   "circuit_breakers": {
                    "thresholds": [
                     {
                      "max_connections": 1024,
                      "max_pending_requests": 1024,
                      "max_requests": 1024,
                      "max_retries": 3
                     },
                     {
                      "priority": "HIGH",
                      "max_connections": 1024,
                      "max_pending_requests": 1024,
                      "max_requests": 1024,
                      "max_retries": 3
                     }
                    ]
                   },
                   "observability_name": "backend"
                  }
                 ]
                }
                """)
        }
    }
}
