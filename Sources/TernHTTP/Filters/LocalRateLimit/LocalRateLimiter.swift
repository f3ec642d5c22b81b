import TernCore

/// The buckets of one LocalRateLimit config and Envoy's decision over them: every configured
/// descriptor the request's descriptors match takes a token, strictest fill rate first, stopping
/// at the first that has none; then the default bucket takes one when no descriptor matched or
/// `always_consume_default_token_bucket` is set. Lock-free: shared by every worker (or owned by
/// one connection).
final class LocalRateLimiter: Sendable {
    /// One bucket a decision used: a fixed one, or a slot of a wildcard descriptor's table.
    enum Bucket: Sendable {
        case fixed(SharedTokenBucket)
        case dynamic(TokenBucketTable, slot: Int)

        func consume(now: Int64) -> Bool {
            switch self {
            case .fixed(let b): return b.consume(now: now)
            case .dynamic(let t, let slot): return t.consume(slot: slot, now: now)
            }
        }

        /// The bucket now (for `x-ratelimit-*`).
        func snapshot() -> TokenBucket {
            switch self {
            case .fixed(let b): return b.snapshot()
            case .dynamic(let t, let slot): return t.snapshot(slot: slot)
            }
        }

        var config: TokenBucketConfig {
            switch self {
            case .fixed(let b): return b.config
            case .dynamic(let t, _): return t.config
            }
        }
    }

    /// The decision, and the bucket behind it (the first matched descriptor's, else the default).
    struct Result {
        var allowed: Bool
        var bucket: Bucket?
        /// The refusing bucket is a descriptor's in `shadow_mode`: counted, not enforced.
        var shadowMode = false
    }

    private let defaultBucket: SharedTokenBucket?
    private let exact: [RateLimitDescriptor: (bucket: SharedTokenBucket, shadowMode: Bool)]
    private let wildcards: [(entries: [RateLimitDescriptor.Entry], table: TokenBucketTable, shadowMode: Bool)]
    private let alwaysConsumeDefault: Bool

    /// Every bucket starts full at `now`; wildcard tables are allocated here, never per request.
    init(spec: LocalRateLimiterSpec, now: Int64) {
        defaultBucket = spec.defaultBucket.map { SharedTokenBucket(config: $0, now: now) }
        var exact: [RateLimitDescriptor: (bucket: SharedTokenBucket, shadowMode: Bool)] = [:]
        var wildcards: [(entries: [RateLimitDescriptor.Entry], table: TokenBucketTable, shadowMode: Bool)] = []
        for d in spec.descriptors {
            if d.isWildcard {
                wildcards.append((d.entries, TokenBucketTable(config: d.bucket, capacity: spec.maxDynamicDescriptors), d.shadowMode))
            } else {
                exact[RateLimitDescriptor(entries: d.entries)] = (SharedTokenBucket(config: d.bucket, now: now), d.shadowMode)
            }
        }
        self.exact = exact
        self.wildcards = wildcards
        alwaysConsumeDefault = spec.alwaysConsumeDefault
    }

    func requestAllowed(_ descriptors: [RateLimitDescriptor], now: Int64) -> Result {
        var matched: [(bucket: Bucket, shadowMode: Bool)] = []
        for d in descriptors {
            if let hit = exact[d] {
                matched.append((.fixed(hit.bucket), hit.shadowMode))
            } else if let w = wildcards.first(where: { d.matches(wildcard: $0.entries) }) {
                matched.append((.dynamic(w.table, slot: w.table.slot(for: d.bucketKey, now: now)), w.shadowMode))
            }
        }
        if matched.count > 1 {
            // Slowest refill first: a request refused there takes nothing from the looser ones.
            matched.sort { Self.fillRate($0.bucket.config) < Self.fillRate($1.bucket.config) }
        }
        for m in matched where !m.bucket.consume(now: now) {
            return Result(allowed: false, bucket: m.bucket, shadowMode: m.shadowMode)
        }
        guard matched.isEmpty || alwaysConsumeDefault, let defaultBucket else {
            return Result(allowed: true, bucket: matched.first?.bucket)
        }
        guard defaultBucket.consume(now: now) else {
            return Result(allowed: false, bucket: .fixed(defaultBucket))
        }
        return Result(allowed: true, bucket: matched.first?.bucket ?? .fixed(defaultBucket))
    }

    static func fillRate(_ c: TokenBucketConfig) -> Double {
        Double(c.tokensPerFill) / Double(c.fillIntervalNanoseconds)
    }
}
