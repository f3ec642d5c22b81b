import NIOCore
import NIOHTTP1
import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernCore
@testable import TernHTTP

/// Compiling `envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit`: Envoy's
/// validation with field paths, its defaults, and descriptors made from `rate_limits`.
@Suite struct LocalRateLimitConfigTests {
    func compile(_ json: String, perRoute: Bool = false, context: CompileContext? = nil) throws -> LocalRateLimitConfig {
        let proto = try LocalRateLimitConfig.Proto(jsonString: json)
        return try LocalRateLimitConfig(proto: proto, path: "f.typed_config",
                                        context: context ?? CompileContext(stats: StatsStore(workers: 1), clusterNames: []),
                                        perRoute: perRoute)
    }

    func error(_ json: String, perRoute: Bool = false) -> CompileError? {
        do {
            _ = try compile(json, perRoute: perRoute)
            return nil
        } catch let e as CompileError {
            return e
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func fillIntervalUnder50msIsRefusedWithItsPath() {
        let e = error(#"{"statPrefix": "rl", "tokenBucket": {"maxTokens": 1, "fillInterval": "0.049s"}}"#)
        #expect(e?.path == "f.typed_config.token_bucket.fill_interval")
        #expect(error(#"{"statPrefix": "rl", "tokenBucket": {"maxTokens": 1, "fillInterval": "0.05s"}}"#) == nil)
    }

    @Test func tokenBucketFieldsAreValidated() {
        #expect(error(#"{"statPrefix": "rl", "tokenBucket": {"fillInterval": "1s"}}"#)?.path
                == "f.typed_config.token_bucket.max_tokens")
        #expect(error(#"{"statPrefix": "rl", "tokenBucket": {"maxTokens": 1, "tokensPerFill": 0, "fillInterval": "1s"}}"#)?.path
                == "f.typed_config.token_bucket.tokens_per_fill")
        #expect(error(#"{"statPrefix": "rl", "tokenBucket": {"maxTokens": 1}}"#)?.path
                == "f.typed_config.token_bucket.fill_interval")
        #expect(error(#"{"tokenBucket": {"maxTokens": 1, "fillInterval": "1s"}}"#)?.path == "f.typed_config.stat_prefix")
    }

    @Test func perRouteConfigNeedsATokenBucket() {
        #expect(error(#"{"statPrefix": "rl"}"#, perRoute: true)?.path == "f.typed_config.token_bucket")
        #expect(error(#"{"statPrefix": "rl"}"#, perRoute: false) == nil)
    }

    @Test func descriptorsAreValidated() {
        let bucket = #""tokenBucket": {"maxTokens": 1, "fillInterval": "1s"}"#
        #expect(error(#"{"statPrefix": "rl", "descriptors": [{"entries": [{"key": "a"}], "tokenBucket": {"maxTokens": 1, "fillInterval": "0.01s"}}]}"#)?.path
                == "f.typed_config.descriptors[0].token_bucket.fill_interval")
        #expect(error(#"{"statPrefix": "rl", "descriptors": [{"entries": [{"key": "a"}]}]}"#)?.path
                == "f.typed_config.descriptors[0].token_bucket")
        #expect(error(#"{"statPrefix": "rl", "descriptors": [{"entries": [{"key": "a"}], \#(bucket)}, {"entries": [{"key": "a"}], \#(bucket)}]}"#)?.path
                == "f.typed_config.descriptors[1]")
        #expect(error(#"{"statPrefix": "rl", "rateLimits": [{"actions": [{"requestHeaders": {"headerName": "x"}}]}]}"#)?.path
                == "f.typed_config.rate_limits[0].actions[0].request_headers.descriptor_key")
    }

    @Test func statusDefaultsTo429AndCodesUnder400BecomeIt() throws {
        #expect(try compile(#"{"statPrefix": "rl"}"#).status == .tooManyRequests)
        #expect(try compile(#"{"statPrefix": "rl", "status": {"code": "ServiceUnavailable"}}"#).status.code == 503)
        #expect(try compile(#"{"statPrefix": "rl", "status": {"code": 200}}"#).status == .tooManyRequests)
    }

    @Test func absentFilterEnabledMeansNotEnabled() throws {
        #expect(try compile(#"{"statPrefix": "rl"}"#).enabled == nil)
        let zero = try compile(#"{"statPrefix": "rl", "filterEnabled": {"defaultValue": {"numerator": 0}}}"#)
        #expect(zero.enabled?.hits(0) == false)
        let all = try compile(#"{"statPrefix": "rl", "filterEnabled": {"defaultValue": {"numerator": 100}, "runtimeKey": "k"}}"#)
        #expect(all.enabled?.hits(99) == true)
    }

    @Test func statsAreRootedAtTheFiltersOwnPrefix() throws {
        let store = StatsStore(workers: 1)
        let config = try compile(#"{"statPrefix": "edge_rl"}"#, context: CompileContext(stats: store, clusterNames: []))
        #expect(config.stats.rateLimited.name.flat == "edge_rl.http_local_rate_limit.rate_limited")
        #expect(config.stats.ok.name.prometheusName == "envoy_http_local_rate_limit_ok")
        #expect(config.stats.ok.name.tags == [StatTag("envoy_local_http_ratelimit_prefix", "edge_rl")])
    }

    @Test func descriptorsComeFromTheFiltersRateLimits() throws {
        let config = try compile("""
            {"statPrefix": "rl",
             "descriptors": [{"entries": [{"key": "client"}], "tokenBucket": {"maxTokens": 1, "fillInterval": "1s"}}],
             "rateLimits": [
               {"actions": [{"requestHeaders": {"headerName": "X-Client", "descriptorKey": "client"}}]},
               {"actions": [{"genericKey": {"descriptorValue": "g"}}, {"remoteAddress": {}}]},
               {"actions": [{"headerValueMatch": {"descriptorValue": "get", "headers": [{"name": ":method", "exactMatch": "GET"}]}}]},
               {"actions": [{"maskedRemoteAddress": {"v4PrefixMaskLen": 24}}]},
               {"actions": [{"queryParameters": {"queryParameterName": "user", "descriptorKey": "u", "skipIfAbsent": true}},
                            {"genericKey": {"descriptorValue": "q", "descriptorKey": "k"}}]}
             ]}
            """)
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/p?user=a%20b")
        head.headers.add(name: "x-client", value: "alice")
        let remote = try SocketAddress(ipAddress: "10.1.2.3", port: 5555)
        let got = config.descriptors(for: head, remote: remote).map(\.description)
        #expect(got == ["client=alice", "generic_key=g, remote_address=10.1.2.3", "header_match=get",
                        "masked_remote_address=10.1.2.0/24", "u=a b, k=q"])
        // Without the header its descriptor is not made; a skipped query parameter leaves the rest.
        let bare = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/p")
        #expect(config.descriptors(for: bare, remote: remote).map(\.description)
                == ["generic_key=g, remote_address=10.1.2.3", "masked_remote_address=10.1.2.0/24", "k=q"])
    }

    @Test func descriptorsAreNotMadeWithoutConfiguredDescriptors() throws {
        let config = try compile(#"{"statPrefix": "rl", "rateLimits": [{"actions": [{"genericKey": {"descriptorValue": "g"}}]}]}"#)
        #expect(config.descriptors(for: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/"), remote: nil).isEmpty)
    }
}
