import NIOCore
import NIOHTTP1
import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernCore
@testable import TernHTTP
import TernUpstream

@Suite struct RetryStateTests {
    func policy(_ on: String, retries: Int = 1, codes: [Int] = []) -> RetryPolicy {
        var p = RetryPolicy()
        p.retryOn = RetryPolicy.RetryOn.parse(Substring(on), http: true, grpc: true).0
        p.numRetries = retries
        p.retriableStatusCodes = codes
        return p
    }

    func response(_ code: Int, _ headers: [(String, String)] = []) -> HTTPResponseHead {
        HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: code), headers: HTTPHeaders(headers))
    }

    func state(_ p: RetryPolicy?, headers: [(String, String)] = []) -> RetryState? {
        var h = HTTPHeaders(headers)
        return RetryState(policy: p, headers: &h)
    }

    @Test func noPolicyAndNoHeadersMeansNoState() {
        #expect(state(nil) == nil)
        #expect(state(RetryPolicy()) == nil)
        #expect(state(nil, headers: [("x-envoy-retry-on", "5xx")]) != nil)
    }

    @Test func responseConditions() throws {
        let fiveXX = try #require(state(policy("5xx")))
        #expect(fiveXX.wouldRetry(response(500)))
        #expect(fiveXX.wouldRetry(response(503)))
        #expect(!fiveXX.wouldRetry(response(409)))
        #expect(!fiveXX.wouldRetry(response(200)))
        // An upstream that says it is overloaded is not retried.
        #expect(!fiveXX.wouldRetry(response(503, [("x-envoy-overloaded", "true")])))

        let gateway = try #require(state(policy("gateway-error")))
        #expect(!gateway.wouldRetry(response(500)))
        #expect(gateway.wouldRetry(response(502)) && gateway.wouldRetry(response(503)) && gateway.wouldRetry(response(504)))

        let conflict = try #require(state(policy("retriable-4xx")))
        #expect(conflict.wouldRetry(response(409)))
        #expect(!conflict.wouldRetry(response(404)))

        let codes = try #require(state(policy("retriable-status-codes", codes: [418])))
        #expect(codes.wouldRetry(response(418)))
        #expect(!codes.wouldRetry(response(500)))

        let grpc = try #require(state(policy("unavailable,cancelled")))
        #expect(grpc.wouldRetry(response(200, [("grpc-status", "14")])))
        #expect(grpc.wouldRetry(response(200, [("grpc-status", "1")])))
        #expect(!grpc.wouldRetry(response(200, [("grpc-status", "13")])))
        #expect(!grpc.wouldRetry(response(200)))
    }

    @Test func resetConditions() throws {
        let connect = try #require(state(policy("connect-failure")))
        #expect(connect.wouldRetry(.connectFailure))
        #expect(!connect.wouldRetry(.remoteReset))
        #expect(!connect.wouldRetry(.localReset))

        let reset = try #require(state(policy("reset")))
        #expect(reset.wouldRetry(.remoteReset) && reset.wouldRetry(.localReset) && reset.wouldRetry(.connectFailure))

        // A reset counts as a 5xx; an overflow is never retried.
        let fiveXX = try #require(state(policy("5xx")))
        #expect(fiveXX.wouldRetry(.remoteReset) && fiveXX.wouldRetry(.localReset) && fiveXX.wouldRetry(.connectFailure))
        #expect(!fiveXX.wouldRetry(.overflow))

        let refused = try #require(state(policy("refused-stream")))
        #expect(!refused.wouldRetry(.remoteReset))
    }

    @Test func requestHeadersMergeAndAreConsumed() throws {
        var h = HTTPHeaders([("x-envoy-retry-on", "retriable-4xx"), ("x-envoy-retry-grpc-on", "internal"),
                             ("x-envoy-max-retries", "4"), ("x-envoy-retriable-status-codes", "418,419"), ("x-other", "1")])
        var s = try #require(RetryState(policy: policy("5xx"), headers: &h))
        #expect(!h.contains(name: "x-envoy-retry-on") && !h.contains(name: "x-envoy-max-retries"))
        #expect(!h.contains(name: "x-envoy-retry-grpc-on") && !h.contains(name: "x-envoy-retriable-status-codes"))
        #expect(h.contains(name: "x-other"))
        #expect(s.wouldRetry(response(500)) && s.wouldRetry(response(409)))
        #expect(s.wouldRetry(response(200, [("grpc-status", "13")])))
        #expect(s.retriesRemaining == 4)
        let granted = (0..<5).map { _ in s.consumeRetry() }
        #expect(granted == [true, true, true, true, false])
    }

    @Test func numRetriesDefaultsToOne() throws {
        var s = try #require(state(nil, headers: [("x-envoy-retry-on", "5xx")]))
        let granted = (0..<2).map { _ in s.consumeRetry() }
        #expect(granted == [true, false])
    }

    @Test func backOffIsFullyJitteredAndCapped() throws {
        var p = policy("5xx", retries: 10)
        p.baseInterval = .milliseconds(100)
        p.maxInterval = .milliseconds(300)
        var s = try #require(state(p))
        // Interval bounds: [0,100), [0,200), [0,300), then capped at 300.
        let delays = [99, 199, 299, 1_000_199, 300].map { s.nextBackOffMs(random: UInt64($0)) }
        #expect(delays == [99, 199, 299, 299, 0])
    }

    @Test func requestMayAskScansNamesOnly() {
        #expect(RetryState.requestMayAsk(HTTPHeaders([("X-Envoy-Retry-On", "5xx")])))
        #expect(!RetryState.requestMayAsk(HTTPHeaders([("host", "a"), ("x-envoy-max-retries", "3")])))
    }
}

@Suite struct RetryPolicyCompileTests {
    func compile(_ json: String) throws -> (RouteConfig, CompileContext) {
        let proto = try Envoy_Config_Route_V3_RouteConfiguration(jsonString: json)
        let context = CompileContext(stats: StatsStore(workers: 1), clusterNames: ["a"])
        return (try RouteConfigCompiler.compile(proto, path: "route_config", context: context), context)
    }

    func forward(_ rc: RouteConfig, _ path: String = "/") throws -> ForwardAction {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: ["host": "x"])
        guard case .forward(let f)? = rc.route(for: head)?.action else { throw CompileError("", "no forward") }
        return f
    }

    @Test func routeLevelOverridesVirtualHost() throws {
        let (rc, _) = try compile("""
        {"virtual_hosts": [{"name": "v", "domains": ["*"], "include_request_attempt_count": true,
          "retry_policy": {"retry_on": "connect-failure", "num_retries": 5},
          "routes": [
            {"match": {"prefix": "/r"}, "route": {"cluster": "a", "priority": "HIGH",
              "retry_policy": {"retry_on": "5xx,unavailable", "per_try_timeout": "0.5s",
                "retry_back_off": {"base_interval": "0.01s"},
                "retry_host_predicate": [{"name": "envoy.retry_host_predicates.previous_hosts"}],
                "host_selection_retry_max_attempts": 3, "retriable_status_codes": [418]}}},
            {"match": {"prefix": "/"}, "route": {"cluster": "a"}}]}]}
        """)
        let r = try forward(rc, "/r")
        let p = try #require(r.retryPolicy)
        #expect(p.retryOn == [.fiveXX, .grpcUnavailable])
        #expect(p.numRetries == 1)
        #expect(p.perTryTimeout == .milliseconds(500))
        #expect(p.baseInterval == .milliseconds(10) && p.maxInterval == .milliseconds(100))
        #expect(p.avoidPreviousHosts && p.hostSelectionRetryMaxAttempts == 3)
        #expect(p.retriableStatusCodes == [418])
        #expect(r.priority == .high && r.includeAttemptCount)

        let v = try forward(rc, "/")
        #expect(v.retryPolicy?.retryOn == [.connectFailure])
        #expect(v.retryPolicy?.numRetries == 5)
        #expect(v.priority == .default)
    }

    @Test func backOffErrorsNameTheField() throws {
        #expect {
            _ = try compile("""
            {"virtual_hosts": [{"name": "v", "domains": ["*"], "routes": [{"match": {"prefix": "/"},
              "route": {"cluster": "a", "retry_policy": {"retry_on": "5xx",
                "retry_back_off": {"base_interval": "1s", "max_interval": "0.5s"}}}}]}]}
            """)
        } throws: { ($0 as? CompileError)?.path == "route_config.virtual_hosts[0].routes[0].route.retry_policy.retry_back_off.max_interval" }
    }

    @Test func unknownConditionsAndPredicatesWarn() throws {
        let (_, context) = try compile("""
        {"virtual_hosts": [{"name": "v", "domains": ["*"], "routes": [{"match": {"prefix": "/"},
          "route": {"cluster": "a", "retry_policy": {"retry_on": "5xx,bogus",
            "retry_host_predicate": [{"name": "envoy.retry_host_predicates.omit_canary_hosts"}]}}}]}]}
        """)
        let paths = context.warnings.map(\.path)
        #expect(paths.contains("route_config.virtual_hosts[0].routes[0].route.retry_policy.retry_on"))
        #expect(paths.contains("route_config.virtual_hosts[0].routes[0].route.retry_policy.retry_host_predicate[0]"))
    }
}
