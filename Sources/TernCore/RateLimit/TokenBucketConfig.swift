/// A compiled `envoy.type.v3.TokenBucket`: at most `maxTokens` tokens, `tokensPerFill` more every
/// `fillInterval`. As Envoy's atomic token bucket, tokens accrue continuously at that rate (not in
/// steps at each interval), and a bucket starts full.
///
/// Everything is integer nanoseconds: one token costs `tokenCost` ns of accrual, rounded up, so
/// tests with an injected clock see exact counts and a bucket never refills faster than configured.
public struct TokenBucketConfig: Sendable, Hashable {
    public let maxTokens: UInt32
    public let tokensPerFill: UInt32
    public let fillIntervalNanoseconds: Int64
    /// Nanoseconds of accrual per token: `ceil(fill_interval / tokens_per_fill)`, at least 1.
    public let tokenCost: Int64
    /// Nanoseconds from empty to full (`maxTokens × tokenCost`), capped so that clock arithmetic
    /// never overflows.
    public let fullWindow: Int64

    /// Largest window kept: a quarter of Int64's range (about 73 years) leaves room for `now ± window`.
    public static let maxWindow = Int64.max / 4

    public init(maxTokens: UInt32, tokensPerFill: UInt32 = 1, fillIntervalNanoseconds: Int64) {
        precondition(maxTokens > 0 && tokensPerFill > 0 && fillIntervalNanoseconds > 0, "validated at compile time")
        self.maxTokens = maxTokens
        self.tokensPerFill = tokensPerFill
        self.fillIntervalNanoseconds = fillIntervalNanoseconds
        let perFill = Int64(tokensPerFill)
        let (quotient, remainder) = fillIntervalNanoseconds.quotientAndRemainder(dividingBy: perFill)
        let cost = max(1, quotient + (remainder == 0 ? 0 : 1))
        tokenCost = min(cost, Self.maxWindow)
        let (window, overflow) = Int64(maxTokens).multipliedReportingOverflow(by: tokenCost)
        fullWindow = overflow ? Self.maxWindow : min(window, Self.maxWindow)
    }
}
