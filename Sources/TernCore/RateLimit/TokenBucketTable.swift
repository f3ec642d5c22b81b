import Synchronization

/// A bounded set of token buckets made on demand, one per key (a hashed descriptor value such as
/// a client address), shared by every event loop without locks. Envoy keeps its dynamic
/// descriptors in an LRU map of `max_dynamic_descriptors` behind a mutex; this is the same bound
/// as a fixed table of atomics allocated once at config load, so no request can make Tern
/// allocate.
///
/// A key lives in one of `window` slots after its hash position. A new key takes an empty slot
/// there, or evicts the least recently used one (its bucket starts full again, as a re-created
/// descriptor does in Envoy). While the table fits in one window (capacity ≤ 64) that is exact
/// LRU; beyond, LRU within the window. Races are benign and bounded: two loops claiming one slot
/// at once, or a token taken while its slot is being re-keyed, can misplace a single token.
public final class TokenBucketTable: @unchecked Sendable {
    public let config: TokenBucketConfig
    public let capacity: Int
    private let window: Int
    /// 0 marks an empty slot; keys are never 0 (see `normalized`).
    private let keys: UnsafeMutablePointer<Atomic<UInt64>>
    private let lastUsed: UnsafeMutablePointer<Atomic<Int64>>
    private let states: UnsafeMutablePointer<Atomic<Int64>>

    /// Windows up to this size are scanned whole (exact LRU).
    static let fullScanLimit = 64
    static let probeWindow = 16

    public init(config: TokenBucketConfig, capacity: Int) {
        precondition(capacity > 0)
        self.config = config
        self.capacity = capacity
        self.window = capacity <= Self.fullScanLimit ? capacity : Self.probeWindow
        keys = .allocate(capacity: capacity)
        lastUsed = .allocate(capacity: capacity)
        states = .allocate(capacity: capacity)
        for i in 0..<capacity {
            (keys + i).initialize(to: Atomic(0))
            (lastUsed + i).initialize(to: Atomic(0))
            (states + i).initialize(to: Atomic(0))
        }
    }

    deinit {
        keys.deinitialize(count: capacity)
        lastUsed.deinitialize(count: capacity)
        states.deinitialize(count: capacity)
        keys.deallocate()
        lastUsed.deallocate()
        states.deallocate()
    }

    /// The slot holding `key`'s bucket, claimed (with a full bucket) when the key has none.
    public func slot(for key: UInt64, now: Int64) -> Int {
        let key = Self.normalized(key)
        var victim = 0
        // A lost claim race is retried once; after that the slot is shared (see the type's note).
        for _ in 0..<2 {
            var victimUsed = Int64.max
            var index = Int(key % UInt64(capacity))
            for _ in 0..<window {
                let current = keys[index].load(ordering: .acquiring)
                if current == key {
                    lastUsed[index].store(now, ordering: .relaxed)
                    return index
                }
                let used = current == 0 ? Int64.min : lastUsed[index].load(ordering: .relaxed)
                if used < victimUsed {
                    victim = index
                    victimUsed = used
                }
                index += 1
                if index == capacity { index = 0 }
            }
            let old = keys[victim].load(ordering: .relaxed)
            if old == key { return victim }
            // The bucket is reset before the key is published, so a loop that finds the key
            // finds the new bucket.
            states[victim].store(TokenBucket.fullEmptyAt(config: config, now: now), ordering: .relaxed)
            lastUsed[victim].store(now, ordering: .relaxed)
            if keys[victim].compareExchange(expected: old, desired: key, ordering: .releasing).exchanged {
                return victim
            }
        }
        return victim
    }

    /// Takes one token from the bucket in `slot`.
    public func consume(slot: Int, now: Int64) -> Bool {
        SharedTokenBucket.consume(states[slot], config: config, now: now)
    }

    /// The bucket in `slot` as it is now.
    public func snapshot(slot: Int) -> TokenBucket {
        TokenBucket(config: config, emptyAt: states[slot].load(ordering: .relaxed))
    }

    /// How many slots hold a key (for tests and diagnostics).
    public var occupiedCount: Int {
        (0..<capacity).reduce(0) { $0 + (keys[$1].load(ordering: .relaxed) == 0 ? 0 : 1) }
    }

    private static func normalized(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }
}
