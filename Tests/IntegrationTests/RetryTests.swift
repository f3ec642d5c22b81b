// Envoy's route retry_policy through the real binary: each retry condition is retried once and
// then answered by a healthy host, the retry limit, previous_hosts, per-try timeouts, body
// replay and the buffer limit, and x-envoy-attempt-count. Counts of what each upstream received
// prove how many attempts were made.

import Foundation
import Testing
import TernTestSupport

@Suite("Retries", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct RetryTests {
    /// Listener "ingress" → cluster "svc" over `ports` (round robin) with `retryPolicy` on the route.
    static func config(ports: [Int], retryPolicy: String, clusterExtra: String = "", vhostExtra: String = "") -> String {
        let vhost = """
        - name: all
          domains: ["*"]
        \(EnvoyConfig.indent(vhostExtra, 2))
          routes:
          - match: { prefix: "/" }
            route:
              cluster: svc
              timeout: 10s
              retry_policy:
        \(EnvoyConfig.indent(retryPolicy, 8))
        """
        return EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: vhost)],
                                     clusters: [EnvoyConfig.staticCluster(name: "svc", ports: ports, extra: clusterExtra)])
    }

    static let fastBackOff = "retry_back_off: { base_interval: 0.005s }"

    /// A failing upstream and how it fails, for one retry_on condition.
    struct Condition: Sendable, CustomTestStringConvertible {
        let retryOn: String
        let extra: String
        let failure: UpstreamBehavior?
        var testDescription: String { retryOn }
    }

    static let conditions: [Condition] = [
        Condition(retryOn: "5xx", extra: "", failure: .respond(status: 500)),
        Condition(retryOn: "gateway-error", extra: "", failure: .respond(status: 502)),
        Condition(retryOn: "retriable-4xx", extra: "", failure: .respond(status: 409)),
        Condition(retryOn: "retriable-status-codes", extra: "retriable_status_codes: [418]", failure: .respond(status: 418)),
        Condition(retryOn: "reset", extra: "", failure: .reset),
        Condition(retryOn: "unavailable", extra: "", failure: .respond(status: 200, headers: [HeaderField("grpc-status", "14")])),
        Condition(retryOn: "connect-failure", extra: "", failure: nil),
    ]

    @Test("each retry_on condition is retried once and answered by the healthy host", arguments: conditions)
    func conditionRetried(_ condition: Condition) async throws {
        let good = try await UpstreamServer.start(.echo, name: "good")
        let bad = try await condition.failure.asyncMap { try await UpstreamServer.start($0, name: "bad") }
        var badPort = bad?.port ?? 0
        if bad == nil { badPort = try await UnusedPort.next() }
        let policy = "retry_on: \(condition.retryOn)\nnum_retries: 1\n\(Self.fastBackOff)\n\(condition.extra)"
        try await TernProcess.with(config: Self.config(ports: [badPort, good.port], retryPolicy: policy)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for i in 0..<4 {
                let r = try await Curl.get(port: port, "/c\(i)")
                #expect(r.status == 200, "\(r)")
                #expect(r.headers["x-upstream-name"] == "good")
            }
            #expect(good.requests.count == 4, "every request ended at the healthy host exactly once")
            let retries = try await proxy.stat("cluster.svc.upstream_rq_retry")
            if let bad {
                #expect(bad.requests.count >= 1, "round robin sent some first attempts to the failing host")
                #expect(retries == bad.requests.count, "one retry per failed attempt")
            } else {
                #expect(retries >= 1)
                #expect(try await proxy.stat("cluster.svc.upstream_cx_connect_fail") == retries)
            }
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_retry_success", atLeast: retries) == retries)
        }
        await bad?.stop()
        await good.stop()
    }

    @Test("num_retries bounds the attempts; the last response is forwarded with URX")
    func retryLimit() async throws {
        let bad = try await UpstreamServer.start(.respond(status: 503, body: "busy"), name: "bad")
        let log = try TemporaryDirectory(prefix: "retry-log")
        defer { log.remove() }
        let logFile = log.file("access.log")
        let logPath = logFile.path
        let hcm = """
        access_log:
        - name: envoy.access_loggers.file
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
            path: \(logPath)
            log_format: { text_format_source: { inline_string: "%RESPONSE_CODE% %RESPONSE_FLAGS%\\n" } }
        """
        let vhost = """
        - name: all
          domains: ["*"]
          include_request_attempt_count: true
          routes:
          - match: { prefix: "/" }
            route:
              cluster: svc
              retry_policy: { retry_on: 5xx, num_retries: 3, retry_back_off: { base_interval: 0.005s } }
        """
        let config = EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: vhost, hcmExtra: hcm)],
                                           clusters: [EnvoyConfig.staticCluster(name: "svc", port: bad.port)])
        try await TernProcess.with(config: config, extraArguments: ["--file-flush-interval-msec", "100"]) { proxy in
            let r = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/limit")
            #expect(r.status == 503)
            #expect(r.bodyText == "busy", "the upstream's own answer is forwarded")
            #expect(bad.requests.count == 4, "1 + num_retries attempts")
            #expect(bad.requests.map { $0.headers["x-envoy-attempt-count"] ?? "-" } == ["1", "2", "3", "4"])
            #expect(try await proxy.stat("cluster.svc.upstream_rq_retry") == 3)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_retry_limit_exceeded", atLeast: 1) == 1)
            let lines = await TextFilePoller.waitForLines(logFile, count: 1)
            #expect(lines == ["503 URX"], "\(lines)")
        }
        await bad.stop()
    }

    /// The connection manager trusts 127.0.0.0/8 (`internal_address_config`) and sees the client
    /// itself (`use_remote_address`): its requests are internal, so their x-envoy-* headers count.
    static let trustsLoopback = """
        use_remote_address: true
        internal_address_config:
          cidr_ranges: [{ address_prefix: 127.0.0.0, prefix_len: 8 }]
        """

    @Test("x-envoy-retry-on and x-envoy-max-retries from an internal client are honoured and not forwarded")
    func requestHeaders() async throws {
        let bad = try await UpstreamServer.start(.respond(status: 503), name: "bad")
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: bad.port, hcmExtra: Self.trustsLoopback)) { proxy in
            let r = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/h",
                                       headers: ["x-envoy-retry-on: 5xx", "x-envoy-max-retries: 2"])
            #expect(r.status == 503)
            #expect(bad.requests.count == 3)
            #expect(bad.requests.allSatisfy { $0.headers["x-envoy-retry-on"] == nil && $0.headers["x-envoy-max-retries"] == nil })
            #expect(bad.requests.allSatisfy { $0.headers["x-envoy-internal"] == "true" })
        }
        await bad.stop()
    }

    @Test("x-envoy-retry-on from an external client is removed, not obeyed", arguments: [false, true])
    func requestHeadersFromExternalClient(useRemoteAddress: Bool) async throws {
        let bad = try await UpstreamServer.start(.respond(status: 503), name: "bad")
        let config = EnvoyConfig.httpProxy(to: bad.port, hcmExtra: "use_remote_address: \(useRemoteAddress)")
        try await TernProcess.with(config: config) { proxy in
            let r = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/h",
                                       headers: ["x-envoy-retry-on: 5xx", "x-envoy-max-retries: 2", "x-envoy-internal: true",
                                                 "x-envoy-downstream-service-cluster: spoofed", "x-envoy-custom: kept"])
            #expect(r.status == 503)
            #expect(bad.requests.count == 1, "a retry was made for an untrusted client")
            let seen = try #require(bad.requests.first)
            #expect(seen.headers["x-envoy-retry-on"] == nil && seen.headers["x-envoy-internal"] == nil)
            #expect(seen.headers["x-envoy-custom"] == "kept", "only Envoy's own control headers are removed")
            // At the edge the caller's claimed identity goes too, and its address is recorded.
            #expect((seen.headers["x-envoy-downstream-service-cluster"] == nil) == useRemoteAddress)
            #expect(seen.headers["x-envoy-external-address"] == (useRemoteAddress ? "127.0.0.1" : nil))
        }
        await bad.stop()
    }

    @Test("previous_hosts keeps a retry off the host that just failed")
    func previousHosts() async throws {
        let bad = try await UpstreamServer.start(.respond(status: 503), name: "bad")
        let good = try await UpstreamServer.start(.echo, name: "good")
        // The failing host has most of the weight: without the predicate a retry would mostly land on it again.
        let cluster = """
        - name: svc
          type: STATIC
          connect_timeout: 1s
          load_assignment:
            cluster_name: svc
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: \(bad.port) } } }
                load_balancing_weight: 9
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: \(good.port) } } }
                load_balancing_weight: 1
        """
        let vhost = """
        - name: all
          domains: ["*"]
          routes:
          - match: { prefix: "/" }
            route:
              cluster: svc
              retry_policy:
                retry_on: 5xx
                num_retries: 1
                retry_back_off: { base_interval: 0.005s }
                retry_host_predicate:
                - name: envoy.retry_host_predicates.previous_hosts
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate
                host_selection_retry_max_attempts: 20
        """
        let config = EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: vhost)], clusters: [cluster])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for i in 0..<6 {
                let r = try await Curl.get(port: port, "/p\(i)")
                #expect(r.status == 200, "request \(i) was retried on the failed host: \(r)")
            }
            #expect(good.requests.count == 6)
            #expect(try await proxy.stat("cluster.svc.upstream_rq_retry") == bad.requests.count)
        }
        await bad.stop()
        await good.stop()
    }

    @Test("per_try_timeout ends a hanging attempt and the retry succeeds")
    func perTryTimeout() async throws {
        let hang = try await UpstreamServer.start(.hang, name: "hang")
        let good = try await UpstreamServer.start(.echo, name: "good")
        let policy = "retry_on: 5xx\nnum_retries: 1\nper_try_timeout: 0.3s\n\(Self.fastBackOff)"
        try await TernProcess.with(config: Self.config(ports: [hang.port, good.port], retryPolicy: policy)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for i in 0..<3 {
                let r = try await Curl.get(port: port, "/t\(i)")
                #expect(r.status == 200, "\(r)")
            }
            #expect(hang.requests.count >= 1)
            #expect(try await proxy.stat("cluster.svc.upstream_rq_per_try_timeout") == hang.requests.count)
            #expect(try await proxy.stat("cluster.svc.upstream_rq_timeout") == 0, "the route timeout did not fire")
        }
        await hang.stop()
        await good.stop()
    }

    @Test("a per-try timeout that is not retried answers 504 'upstream request timeout'")
    func perTryTimeoutNotRetried() async throws {
        let hang = try await UpstreamServer.start(.hang, name: "hang")
        let policy = "retry_on: connect-failure\nper_try_timeout: 0.3s"
        try await TernProcess.with(config: Self.config(ports: [hang.port], retryPolicy: policy)) { proxy in
            let r = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/t")
            #expect(r.status == 504)
            #expect(r.bodyText == "upstream request timeout")
            #expect(hang.requests.count == 1)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_per_try_timeout", atLeast: 1) == 1)
        }
        await hang.stop()
    }

    @Test("a POST body is replayed byte for byte on the retry")
    func bodyReplayed() async throws {
        let bad = try await UpstreamServer.start(.respond(status: 503), name: "bad")
        let good = try await UpstreamServer.start(.respond(status: 200, body: "ok"), name: "good")
        let policy = "retry_on: 5xx\nnum_retries: 1\n\(Self.fastBackOff)"
        let body = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 7) }
        try await TernProcess.with(config: Self.config(ports: [bad.port, good.port], retryPolicy: policy)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            for i in 0..<3 {
                let r = try await Curl.request(port: port, "/post\(i)", method: "POST", body: body)
                #expect(r.status == 200, "\(r)")
            }
            #expect(good.requests.count == 3)
            #expect(good.requests.allSatisfy { $0.body == body }, "the healthy host got the exact body every time")
            #expect(bad.requests.count >= 1)
            #expect(try await proxy.stat("cluster.svc.upstream_rq_retry") == bad.requests.count)
        }
        await bad.stop()
        await good.stop()
    }

    @Test("a body beyond the buffer limit is streamed and not retried (retry_or_shadow_abandoned)")
    func bodyOverLimitNotRetried() async throws {
        let bad = try await UpstreamServer.start(.respond(status: 503), name: "bad")
        let good = try await UpstreamServer.start(.respond(status: 200, body: "ok"), name: "good")
        let policy = "retry_on: 5xx\nnum_retries: 1\n\(Self.fastBackOff)"
        let body = [UInt8](repeating: 0x61, count: 3 * 1024 * 1024)
        try await TernProcess.with(config: Self.config(ports: [bad.port, good.port], retryPolicy: policy)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            var statuses: [Int] = []
            for i in 0..<2 {
                statuses.append(try await Curl.request(port: port, "/big\(i)", method: "POST", body: body).status)
            }
            // Round robin sends one of the two to the failing host, and that one is not retried.
            #expect(statuses.sorted() == [200, 503])
            #expect(try await proxy.stat("cluster.svc.upstream_rq_retry") == 0)
            #expect(try await proxy.stat("cluster.svc.retry_or_shadow_abandoned") == 2)
            #expect(good.requests.first?.body.count == body.count)
        }
        await bad.stop()
        await good.stop()
    }
}

extension Optional {
    /// `map` with an async throwing transform.
    fileprivate func asyncMap<T>(_ f: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await f(self)
    }
}
