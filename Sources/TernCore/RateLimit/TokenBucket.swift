/// Envoy's token bucket as a pure value: the whole state is one instant, `emptyAt`, the time at
/// which the bucket would have held no tokens. Tokens at `now` are the accrual since then,
/// `(now - emptyAt) / tokenCost`, never more than `maxTokens`; taking a token moves `emptyAt`
/// forward by one token's cost. One word of state is what lets `SharedTokenBucket` update it with
/// a single compare-and-swap.
///
/// Time is injected: every method takes `now` in monotonic nanoseconds (the caller reads the
/// clock once per request; tests pass made-up instants and never sleep).
public struct TokenBucket: Sendable, Equatable {
    public let config: TokenBucketConfig
    /// The instant the bucket was (or would have been) empty.
    public private(set) var emptyAt: Int64

    /// A full bucket at `now`, as Envoy's buckets start.
    public init(config: TokenBucketConfig, now: Int64) {
        self.config = config
        self.emptyAt = Self.fullEmptyAt(config: config, now: now)
    }

    /// A bucket with a given state (what `SharedTokenBucket` holds).
    public init(config: TokenBucketConfig, emptyAt: Int64) {
        self.config = config
        self.emptyAt = emptyAt
    }

    /// Takes one token if there is one. Returns whether it did.
    public mutating func consume(now: Int64) -> Bool {
        guard let next = Self.emptyAtAfterConsuming(emptyAt, config: config, now: now) else { return false }
        emptyAt = next
        return true
    }

    /// Whole tokens in the bucket at `now`.
    public func availableTokens(now: Int64) -> UInt32 {
        let start = Self.effectiveEmptyAt(emptyAt, config: config, now: now)
        guard now > start else { return 0 }
        return UInt32(min(Int64(config.maxTokens), (now - start) / config.tokenCost))
    }

    /// Nanoseconds until the next whole token (0 while one is available).
    public func nanosecondsUntilNextToken(now: Int64) -> Int64 {
        let start = Self.effectiveEmptyAt(emptyAt, config: config, now: now)
        let accrued = now - start
        if accrued >= config.tokenCost { return 0 }
        return config.tokenCost - accrued
    }

    /// Envoy's `x-ratelimit-reset`: whole seconds until the next token (the milliseconds rounded
    /// up, then truncated to seconds, as Envoy computes it).
    public func resetSeconds(now: Int64) -> Int64 {
        let ns = nanosecondsUntilNextToken(now: now)
        let ms = (ns + 999_999) / 1_000_000
        return ms / 1000
    }

    // MARK: - the transition, shared with the atomic form

    /// `emptyAt` of a full bucket at `now`.
    public static func fullEmptyAt(config: TokenBucketConfig, now: Int64) -> Int64 {
        now &- config.fullWindow
    }

    /// Accrual beyond `maxTokens` is lost: the bucket never counts from earlier than full.
    static func effectiveEmptyAt(_ emptyAt: Int64, config: TokenBucketConfig, now: Int64) -> Int64 {
        max(emptyAt, now &- config.fullWindow)
    }

    /// The new `emptyAt` after taking one token at `now`, or nil when the bucket holds less than
    /// one. A clock that went backwards (now before emptyAt) finds no token, as in Envoy.
    public static func emptyAtAfterConsuming(_ emptyAt: Int64, config: TokenBucketConfig, now: Int64) -> Int64? {
        let start = effectiveEmptyAt(emptyAt, config: config, now: now)
        guard now > start, now - start >= config.tokenCost else { return nil }
        return start + config.tokenCost
    }
}
