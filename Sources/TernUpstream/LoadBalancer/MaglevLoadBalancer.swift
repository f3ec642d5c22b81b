/// Envoy's MAGLEV: a lookup table of `table_size` (prime) slots filled by each host's
/// permutation in turn, weighted, so a request's hash maps to a host with one modulo. Built once
/// per host-set publication (per priority level).
public struct MaglevLoadBalancer: Sendable {
    /// Slot → host index (into the level's host list).
    let table: [UInt32]

    /// `weights[i]` is host `i`'s normalized weight (0 leaves it out); `keys[i]` its hash key.
    public init(keys: [String], weights: [Double], tableSize: Int) {
        struct Entry {
            let index: UInt32
            let offset: UInt64
            let skip: UInt64
            let weight: Double
            var target = 0.0
            var next: UInt64 = 0
        }
        var entries: [Entry] = []
        let size = UInt64(tableSize)
        for (i, key) in keys.enumerated() where weights[i] > 0 {
            entries.append(Entry(index: UInt32(i), offset: XXHash64.hash(key, seed: 0) % size,
                                 skip: XXHash64.hash(key, seed: 1) % (size - 1) + 1, weight: weights[i]))
        }
        guard let maxWeight = entries.map(\.weight).max(), tableSize > 1 else {
            table = []
            return
        }
        // The same hosts in any order must give the same table.
        entries.sort { keys[Int($0.index)] < keys[Int($1.index)] }
        var slots = [UInt32](repeating: UInt32.max, count: tableSize)
        var filled = 0
        var iteration = 1.0
        while filled < tableSize {
            for e in entries.indices where filled < tableSize {
                // A host of the largest weight takes a slot every round, one of a third of it
                // every third round.
                if iteration * entries[e].weight < entries[e].target { continue }
                entries[e].target += maxWeight
                var c = (entries[e].offset &+ entries[e].skip &* entries[e].next) % size
                while slots[Int(c)] != UInt32.max {
                    entries[e].next += 1
                    c = (entries[e].offset &+ entries[e].skip &* entries[e].next) % size
                }
                slots[Int(c)] = entries[e].index
                entries[e].next += 1
                filled += 1
            }
            iteration += 1
        }
        table = slots
    }

    public var tableSize: Int { table.count }

    /// The host index for `hash`; `attempt` > 0 perturbs the hash as Envoy does for retries.
    public func pick(_ hash: UInt64, attempt: Int = 0) -> Int? {
        guard !table.isEmpty else { return nil }
        var h = hash
        if attempt > 0 { h ^= ~UInt64(0) &- UInt64(attempt) &+ 1 }
        return Int(table[Int(h % UInt64(table.count))])
    }

    /// Whether `n` is prime (`table_size` must be).
    public static func isPrime(_ n: Int) -> Bool {
        guard n >= 2 else { return false }
        if n < 4 { return true }
        if n % 2 == 0 { return false }
        var d = 3
        while d * d <= n {
            if n % d == 0 { return false }
            d += 2
        }
        return true
    }
}
