import Testing
@testable import TernConfig
@testable import TernCore
@testable import TernHTTP

/// The limiter's decision over the default bucket and the descriptors, with made-up instants.
@Suite struct LocalRateLimiterTests {
    static let t0: Int64 = 5_000 * 1_000_000_000

    func limiter(_ json: String) throws -> LocalRateLimiter {
        let proto = try LocalRateLimiterSpec.Proto(jsonString: json)
        let spec = try LocalRateLimiterSpec(proto: proto, path: "f", context: CompileContext(stats: StatsStore(workers: 1), clusterNames: []))
        return LocalRateLimiter(spec: spec, now: Self.t0)
    }

    func descriptor(_ pairs: (String, String)...) -> RateLimitDescriptor {
        RateLimitDescriptor(entries: pairs.map { .init(key: $0.0, value: $0.1) })
    }

    func allowedCount(_ l: LocalRateLimiter, _ d: [RateLimitDescriptor], tries: Int) -> Int {
        (0..<tries).filter { _ in l.requestAllowed(d, now: Self.t0).allowed }.count
    }

    @Test func defaultBucketOnly() throws {
        let l = try limiter(#"{"tokenBucket": {"maxTokens": 3, "fillInterval": "3600s"}}"#)
        #expect(allowedCount(l, [], tries: 5) == 3)
        let refused = l.requestAllowed([], now: Self.t0)
        #expect(!refused.allowed && refused.bucket != nil && !refused.shadowMode)
    }

    @Test func noBucketsMeansNoLimit() throws {
        let l = try limiter("{}")
        #expect(allowedCount(l, [descriptor(("a", "b"))], tries: 50) == 50)
    }

    @Test func wildcardDescriptorGivesEachValueItsOwnBucket() throws {
        let l = try limiter("""
            {"tokenBucket": {"maxTokens": 100, "fillInterval": "3600s"},
             "descriptors": [{"entries": [{"key": "client"}], "tokenBucket": {"maxTokens": 2, "fillInterval": "3600s"}}]}
            """)
        #expect(allowedCount(l, [descriptor(("client", "a"))], tries: 4) == 2)
        #expect(allowedCount(l, [descriptor(("client", "b"))], tries: 4) == 2)
        #expect(allowedCount(l, [descriptor(("other", "a"))], tries: 4) == 4, "unmatched: the default bucket")
    }

    @Test func exactDescriptorMatchesOnlyItsValue() throws {
        let l = try limiter("""
            {"descriptors": [{"entries": [{"key": "client", "value": "vip"}], "tokenBucket": {"maxTokens": 1, "fillInterval": "3600s"}}]}
            """)
        #expect(allowedCount(l, [descriptor(("client", "vip"))], tries: 3) == 1)
        #expect(allowedCount(l, [descriptor(("client", "other"))], tries: 3) == 3)
    }

    @Test func defaultBucketIsAlsoConsumedUnlessToldOtherwise() throws {
        let descriptors = #""descriptors": [{"entries": [{"key": "k", "value": "v"}], "tokenBucket": {"maxTokens": 10, "fillInterval": "3600s"}}]"#
        let always = try limiter(#"{"tokenBucket": {"maxTokens": 2, "fillInterval": "3600s"}, \#(descriptors)}"#)
        #expect(allowedCount(always, [descriptor(("k", "v"))], tries: 5) == 2)
        let notAlways = try limiter(#"{"tokenBucket": {"maxTokens": 2, "fillInterval": "3600s"}, "alwaysConsumeDefaultTokenBucket": false, \#(descriptors)}"#)
        #expect(allowedCount(notAlways, [descriptor(("k", "v"))], tries: 12) == 10)
    }

    @Test func shadowModeDescriptorReportsButIsMarked() throws {
        let l = try limiter("""
            {"descriptors": [{"entries": [{"key": "k", "value": "v"}], "shadowMode": true, "tokenBucket": {"maxTokens": 1, "fillInterval": "3600s"}}]}
            """)
        #expect(l.requestAllowed([descriptor(("k", "v"))], now: Self.t0).allowed)
        let second = l.requestAllowed([descriptor(("k", "v"))], now: Self.t0)
        #expect(!second.allowed && second.shadowMode)
    }

    @Test func dynamicBucketsAreBounded() throws {
        let l = try limiter("""
            {"maxDynamicDescriptors": 3,
             "descriptors": [{"entries": [{"key": "ip"}], "tokenBucket": {"maxTokens": 1, "fillInterval": "3600s"}}]}
            """)
        for i in 0..<1_000 { _ = l.requestAllowed([descriptor(("ip", "10.0.0.\(i)"))], now: Self.t0) }
        let result = l.requestAllowed([descriptor(("ip", "x"))], now: Self.t0)
        guard case .dynamic(let table, _)? = result.bucket else {
            Issue.record("expected a dynamic bucket")
            return
        }
        #expect(table.capacity == 3 && table.occupiedCount == 3)
    }
}
