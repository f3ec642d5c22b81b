import Synchronization

/// A token bucket that every event loop may take from at once: the `TokenBucket` state (one
/// `emptyAt` word) in an atomic, changed by compare-and-swap with the same transition, so it is
/// lock-free and never blocks a loop. Used where Envoy shares one bucket across worker threads:
/// the HTTP local rate limit filter's config (and its descriptors), the network filter's config.
public final class SharedTokenBucket: Sendable {
    public let config: TokenBucketConfig
    private let emptyAt: Atomic<Int64>

    /// A full bucket at `now`.
    public init(config: TokenBucketConfig, now: Int64) {
        self.config = config
        self.emptyAt = Atomic(TokenBucket.fullEmptyAt(config: config, now: now))
    }

    /// Takes one token if there is one. Returns whether it did.
    public func consume(now: Int64) -> Bool {
        SharedTokenBucket.consume(emptyAt, config: config, now: now)
    }

    /// The bucket as it is now (for `x-ratelimit-remaining` / `-reset`).
    public func snapshot() -> TokenBucket {
        TokenBucket(config: config, emptyAt: emptyAt.load(ordering: .relaxed))
    }

    /// The CAS loop over one atomic `emptyAt`; `TokenBucketTable` runs it on its slots too.
    /// Relaxed ordering: only the word itself must change atomically, nothing is published with it.
    static func consume(_ state: borrowing Atomic<Int64>, config: TokenBucketConfig, now: Int64) -> Bool {
        var current = state.load(ordering: .relaxed)
        while true {
            guard let next = TokenBucket.emptyAtAfterConsuming(current, config: config, now: now) else { return false }
            let (exchanged, original) = state.weakCompareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }
}
