import Testing
import TernCore

/// Dynamic buckets: one per key, bounded, the least recently used evicted.
@Suite struct TokenBucketTableTests {
    static let second: Int64 = 1_000_000_000
    static let t0: Int64 = 1_000 * second
    static let config = TokenBucketConfig(maxTokens: 2, tokensPerFill: 1, fillIntervalNanoseconds: 3_600 * second)

    @Test func eachKeyHasItsOwnBucket() {
        let table = TokenBucketTable(config: Self.config, capacity: 20)
        let a = table.slot(for: 0xA, now: Self.t0)
        let b = table.slot(for: 0xB, now: Self.t0)
        #expect(a != b)
        #expect(table.consume(slot: a, now: Self.t0) && table.consume(slot: a, now: Self.t0))
        #expect(!table.consume(slot: a, now: Self.t0))
        #expect(table.consume(slot: b, now: Self.t0), "B's bucket is untouched by A's requests")
        #expect(table.slot(for: 0xA, now: Self.t0 + 1) == a, "the same key finds the same bucket")
    }

    @Test func holdsAtMostCapacityKeysAndEvictsTheLeastRecentlyUsed() {
        let table = TokenBucketTable(config: Self.config, capacity: 4)
        for key in UInt64(1)...4 {
            let now = Self.t0 + Int64(key)
            let s = table.slot(for: key, now: now)
            #expect(table.consume(slot: s, now: now) && table.consume(slot: s, now: now))
            #expect(!table.consume(slot: s, now: now))
        }
        // Key 1 is used again, so key 2 is now the least recently used.
        _ = table.slot(for: 1, now: Self.t0 + 10)
        for key in UInt64(100)..<1_100 { _ = table.slot(for: key, now: Self.t0 + 20 + Int64(key)) }
        #expect(table.occupiedCount == 4)
        // Key 1 was evicted by the flood eventually; a re-created key starts with a full bucket.
        let again = table.slot(for: 1, now: Self.t0 + 5_000)
        #expect(table.consume(slot: again, now: Self.t0 + 5_000))
    }

    @Test func evictionChoosesTheOldestSlot() {
        let table = TokenBucketTable(config: Self.config, capacity: 3)
        let s1 = table.slot(for: 1, now: Self.t0 + 1)
        let s2 = table.slot(for: 2, now: Self.t0 + 2)
        let s3 = table.slot(for: 3, now: Self.t0 + 3)
        _ = table.slot(for: 1, now: Self.t0 + 4)
        let s4 = table.slot(for: 4, now: Self.t0 + 5)
        #expect(Set([s1, s2, s3]).count == 3)
        #expect(s4 == s2, "key 2 was the least recently used")
        #expect(table.slot(for: 1, now: Self.t0 + 6) == s1)
        #expect(table.slot(for: 3, now: Self.t0 + 7) == s3)
    }
}
