/// Envoy's RING_HASH (ketama): each host owns points on a 64-bit ring in proportion to its
/// weight; a request's hash goes to the first point at or after it. Built once per host-set
/// publication (per priority level); a pick is a binary search.
public struct RingHashLoadBalancer: Sendable {
    /// Ring points sorted by hash, and the index (into the level's host list) owning each.
    let hashes: [UInt64]
    let owners: [UInt32]

    /// `weights[i]` is host `i`'s normalized weight (they sum to 1; 0 leaves the host off the
    /// ring); `keys[i]` its hash key (`ip:port`, as Envoy's `address()->asString()`).
    public init(keys: [String], weights: [Double], minimumRingSize: Int, maximumRingSize: Int) {
        let positive = weights.filter { $0 > 0 }
        guard let minWeight = positive.min() else {
            hashes = []
            owners = []
            return
        }
        // As Envoy: scale so the lightest host gets a whole number of points, capped at the max.
        let scale = min((minWeight * Double(minimumRingSize)).rounded(.up) / minWeight, Double(maximumRingSize))
        var points: [(UInt64, UInt32)] = []
        points.reserveCapacity(Int(scale.rounded(.up)))
        // Running sums keep the ring stable when weights are fractional.
        var current = 0.0
        var target = 0.0
        for (i, key) in keys.enumerated() where weights[i] > 0 {
            target += scale * weights[i]
            var n = 0
            while current < target {
                points.append((XXHash64.hash("\(key)_\(n)"), UInt32(i)))
                n += 1
                current += 1
            }
        }
        points.sort { $0.0 < $1.0 }
        hashes = points.map(\.0)
        owners = points.map(\.1)
    }

    public var ringSize: Int { hashes.count }

    /// The host index for `hash`; `attempt` > 0 walks on along the ring (retries).
    public func pick(_ hash: UInt64, attempt: Int = 0) -> Int? {
        guard !hashes.isEmpty else { return nil }
        // First point with hash ≥ `hash`, wrapping to the start past the last one.
        var lo = 0
        var hi = hashes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if hashes[mid] < hash { lo = mid + 1 } else { hi = mid }
        }
        let index = (lo == hashes.count ? 0 : lo) + attempt
        return Int(owners[index % owners.count])
    }
}
