import Testing
import TernCore

/// The token bucket with an injected clock: Envoy's semantics (starts full, continuous refill at
/// tokens_per_fill per fill_interval, never above max_tokens) without sleeping.
@Suite struct TokenBucketTests {
    static let second: Int64 = 1_000_000_000
    /// An instant well past zero, as a monotonic clock reads after boot.
    static let t0: Int64 = 1_000 * second

    @Test func startsFullAndEmptiesAfterMaxTokens() {
        let config = TokenBucketConfig(maxTokens: 3, tokensPerFill: 1, fillIntervalNanoseconds: Self.second)
        let bucket = Holder(config: config, now: Self.t0)
        #expect(bucket.value.availableTokens(now: Self.t0) == 3)
        #expect(bucket.consume(now: Self.t0))
        #expect(bucket.consume(now: Self.t0))
        #expect(bucket.consume(now: Self.t0))
        #expect(!bucket.consume(now: Self.t0))
        #expect(bucket.value.availableTokens(now: Self.t0) == 0)
    }

    @Test func refillsContinuouslyAtTheConfiguredRate() {
        // 2 tokens per 4 s: one every 2 s, as Envoy's atomic bucket accrues them.
        let config = TokenBucketConfig(maxTokens: 2, tokensPerFill: 2, fillIntervalNanoseconds: 4 * Self.second)
        let bucket = Holder(config: config, now: Self.t0)
        #expect(bucket.consume(now: Self.t0) && bucket.consume(now: Self.t0))
        #expect(!bucket.consume(now: Self.t0 + 2 * Self.second - 1))
        #expect(bucket.consume(now: Self.t0 + 2 * Self.second))
        #expect(!bucket.consume(now: Self.t0 + 2 * Self.second))
        #expect(bucket.value.availableTokens(now: Self.t0 + 6 * Self.second) == 2)
    }

    @Test func neverHoldsMoreThanMaxTokens() {
        let config = TokenBucketConfig(maxTokens: 2, tokensPerFill: 1, fillIntervalNanoseconds: Self.second)
        let bucket = Holder(config: config, now: Self.t0)
        let later = Self.t0 + 3_600 * Self.second
        #expect(bucket.value.availableTokens(now: later) == 2)
        #expect(bucket.consume(now: later) && bucket.consume(now: later))
        #expect(!bucket.consume(now: later))
    }

    @Test func resetSecondsAsEnvoyReportsThem() {
        let config = TokenBucketConfig(maxTokens: 2, tokensPerFill: 2, fillIntervalNanoseconds: 4 * Self.second)
        let bucket = Holder(config: config, now: Self.t0)
        #expect(bucket.consume(now: Self.t0))
        #expect(bucket.value.resetSeconds(now: Self.t0) == 0, "a token is still there")
        #expect(bucket.consume(now: Self.t0))
        #expect(bucket.value.resetSeconds(now: Self.t0) == 2)
        #expect(bucket.value.resetSeconds(now: Self.t0 + Self.second + 1) == 1, "999.999… ms round up to 1000 ms")
        #expect(bucket.value.resetSeconds(now: Self.t0 + Self.second + 1_000_001) == 0, "999 ms truncate to 0 s")
        #expect(bucket.value.nanosecondsUntilNextToken(now: Self.t0 + Self.second) == Self.second)
    }

    @Test func aClockThatGoesBackFindsNoToken() {
        let config = TokenBucketConfig(maxTokens: 1, tokensPerFill: 1, fillIntervalNanoseconds: Self.second)
        let bucket = Holder(config: config, now: Self.t0)
        #expect(bucket.consume(now: Self.t0))
        #expect(!bucket.consume(now: Self.t0 - 10 * Self.second))
        #expect(bucket.consume(now: Self.t0 + Self.second))
    }

    @Test func extremeIntervalsDoNotOverflow() {
        let config = TokenBucketConfig(maxTokens: .max, tokensPerFill: 1, fillIntervalNanoseconds: TokenBucketConfig.maxWindow)
        let bucket = Holder(config: config, now: 0)
        #expect(bucket.consume(now: 0))
        let fast = TokenBucketConfig(maxTokens: 5, tokensPerFill: .max, fillIntervalNanoseconds: 50_000_000)
        #expect(fast.tokenCost == 1)
        let quick = Holder(config: fast, now: Self.t0)
        for _ in 0..<5 { #expect(quick.consume(now: Self.t0)) }
        #expect(!quick.consume(now: Self.t0))
        #expect(quick.consume(now: Self.t0 + 1))
    }

    @Test func sharedBucketGivesOutExactlyMaxTokensAcrossThreads() async {
        let config = TokenBucketConfig(maxTokens: 1_000, tokensPerFill: 1, fillIntervalNanoseconds: 3_600 * Self.second)
        let bucket = SharedTokenBucket(config: config, now: Self.t0)
        // Eight tasks race for 1 000 tokens 500 times each; the CAS loop must hand out each once.
        let granted = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<500).reduce(0) { n, _ in n + (bucket.consume(now: Self.t0) ? 1 : 0) } }
            }
            return await group.reduce(0, +)
        }
        #expect(granted == 1_000)
        #expect(bucket.snapshot().availableTokens(now: Self.t0) == 0)
    }
}

/// The value bucket behind a reference, so `#expect` may call its mutating `consume`.
private final class Holder {
    var value: TokenBucket
    init(config: TokenBucketConfig, now: Int64) { value = TokenBucket(config: config, now: now) }
    func consume(now: Int64) -> Bool { value.consume(now: now) }
}
