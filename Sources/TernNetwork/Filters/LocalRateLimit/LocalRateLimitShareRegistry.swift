import Synchronization
import TernCore

/// The buckets of network local rate limit filters that set `share_key`: filters with the same
/// key and the same token bucket take from one bucket, as Envoy's shared limiter map does. Entries
/// are weak, so a bucket goes away with the last config that uses it. Only config compilation
/// touches this (under its lock); the data path holds the bucket itself.
enum LocalRateLimitShareRegistry {
    private struct Key: Hashable {
        let shareKey: String
        let bucket: TokenBucketConfig
    }

    private final class WeakBucket: @unchecked Sendable {
        weak var bucket: SharedTokenBucket?
        init(_ bucket: SharedTokenBucket) { self.bucket = bucket }
    }

    private static let buckets = Mutex<[Key: WeakBucket]>([:])

    /// The bucket shared under `shareKey` for `config`, made (full) when there is none.
    static func bucket(shareKey: String, config: TokenBucketConfig, now: Int64) -> SharedTokenBucket {
        buckets.withLock { map in
            let key = Key(shareKey: shareKey, bucket: config)
            if let existing = map[key]?.bucket { return existing }
            map = map.filter { $0.value.bucket != nil }
            let made = SharedTokenBucket(config: config, now: now)
            map[key] = WeakBucket(made)
            return made
        }
    }
}
