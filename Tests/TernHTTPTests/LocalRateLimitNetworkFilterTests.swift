import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernCore
@testable import TernNetwork

/// Compiling `envoy.filters.network.local_ratelimit` (kept beside the HTTP filter's tests, whose
/// token bucket compile step it shares).
@Suite struct LocalRateLimitNetworkFilterTests {
    typealias Proto = Envoy_Extensions_Filters_Network_LocalRatelimit_V3_LocalRateLimit

    func compile(_ json: String, store: StatsStore = StatsStore(workers: 1)) throws -> NetworkLocalRateLimitFilterFactory {
        let any = try Google_Protobuf_Any(message: Proto(jsonString: json))
        let factory = try NetworkLocalRateLimitFilterFactory.registration.compile(
            any, "l.filters[0].typed_config", CompileContext(stats: store, clusterNames: []))
        return try #require(factory as? NetworkLocalRateLimitFilterFactory)
    }

    func errorPath(_ json: String) -> String? {
        do {
            _ = try compile(json)
            return nil
        } catch {
            return (error as? CompileError)?.path
        }
    }

    @Test func requiredFieldsAndFillIntervalFloor() {
        #expect(errorPath(#"{"statPrefix": "c"}"#) == "l.filters[0].typed_config.token_bucket")
        #expect(errorPath(#"{"tokenBucket": {"maxTokens": 1, "fillInterval": "1s"}}"#) == "l.filters[0].typed_config.stat_prefix")
        #expect(errorPath(#"{"statPrefix": "c", "tokenBucket": {"maxTokens": 1, "fillInterval": "0.02s"}}"#)
                == "l.filters[0].typed_config.token_bucket.fill_interval")
        #expect(errorPath(#"{"statPrefix": "c", "tokenBucket": {"maxTokens": 1, "fillInterval": "1s"}, "runtimeEnabled": {"runtimeKey": "k"}}"#)
                == "l.filters[0].typed_config.runtime_enabled.default_value")
    }

    @Test func statNameAndRuntimeDefault() throws {
        let store = StatsStore(workers: 1)
        let on = try compile(#"{"statPrefix": "c", "tokenBucket": {"maxTokens": 1, "fillInterval": "1s"}}"#, store: store)
        #expect(on.enabled)
        #expect(on.stats.rateLimited.name.flat == "local_rate_limit.c.rate_limited")
        #expect(on.stats.rateLimited.name.prometheusName == "envoy_local_rate_limit_rate_limited")
        let off = try compile(#"{"statPrefix": "c", "tokenBucket": {"maxTokens": 1, "fillInterval": "1s"}, "runtimeEnabled": {"defaultValue": false}}"#)
        #expect(!off.enabled)
    }

    @Test func shareKeySharesOneBucketBetweenConfigs() throws {
        let bucket = #""tokenBucket": {"maxTokens": 5, "fillInterval": "60s"}"#
        let a = try compile(#"{"statPrefix": "a", "shareKey": "k1", \#(bucket)}"#)
        let b = try compile(#"{"statPrefix": "b", "shareKey": "k1", \#(bucket)}"#)
        let c = try compile(#"{"statPrefix": "c", "shareKey": "k2", \#(bucket)}"#)
        let d = try compile(#"{"statPrefix": "d", \#(bucket)}"#)
        let e = try compile(#"{"statPrefix": "e", \#(bucket)}"#)
        #expect(a.bucket === b.bucket)
        #expect(a.bucket !== c.bucket)
        #expect(d.bucket !== e.bucket, "without share_key every filter has its own bucket")
    }
}
