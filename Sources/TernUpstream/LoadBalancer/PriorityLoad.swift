/// Envoy's split of traffic across priority levels and its panic decision, as pure math over
/// host counts (Envoy's default, `weighted_priority_health` off).
///
/// Each level's health is `min(100, overprovisioning_factor × healthy / total)`; the normalized
/// total health is the sum capped at 100. Levels take load in order, each as much as its health
/// scaled by the normalized total allows; rounding leftovers go to the first level with health.
/// When the normalized total is below 100, a level whose healthy share is below the panic
/// threshold is in panic (balances over all its hosts); when every level is, load follows host
/// counts instead.
public struct PriorityLoad: Sendable, Equatable {
    /// Percent of picks per priority level (sums to 100 when there is any level).
    public let load: [Int]
    /// Levels balancing over all their hosts, ignoring health.
    public let panic: [Bool]

    public init(load: [Int], panic: [Bool]) {
        self.load = load
        self.panic = panic
    }

    /// `healthy[i]` and `total[i]` are the healthy and all hosts of priority `i`.
    public init(healthy: [Int], total: [Int], overprovisioningFactor: Int, panicThreshold: Double) {
        let levels = total.count
        guard levels > 0 else {
            self.init(load: [], panic: [])
            return
        }
        let health = (0..<levels).map { i in
            total[i] == 0 ? 0 : min(100, overprovisioningFactor * healthy[i] / total[i])
        }
        let normalized = min(100, health.reduce(0, +))
        var load = [Int](repeating: 0, count: levels)
        if normalized > 0 {
            var remaining = 100
            var first = -1
            for i in 0..<levels {
                if first < 0, health[i] > 0 { first = i }
                load[i] = min(remaining, health[i] * 100 / normalized)
                remaining -= load[i]
            }
            if remaining > 0, first >= 0 { load[first] += remaining }
        }

        // Envoy rounds the configured percentage to an integer threshold.
        let threshold = min(100.0, panicThreshold.rounded())
        if threshold == 0, normalized == 0 {
            // Nothing is healthy and panic is off: P0 nominally takes everything and fails.
            load[0] = 100
            self.init(load: load, panic: [Bool](repeating: false, count: levels))
            return
        }
        var panic = [Bool](repeating: false, count: levels)
        if normalized < 100 {
            for i in 0..<levels {
                let percent = total[i] == 0 ? 0.0 : 100.0 * Double(healthy[i]) / Double(total[i])
                panic[i] = percent < threshold
            }
        }
        if panic.allSatisfy({ $0 }) {
            // Total panic: load follows host counts, health ignored.
            let hosts = total.reduce(0, +)
            load = [Int](repeating: 0, count: levels)
            if hosts == 0 {
                load[0] = 100
            } else {
                var remaining = 100
                for i in 0..<levels {
                    load[i] = 100 * total[i] / hosts
                    remaining -= load[i]
                }
                if let firstNonEmpty = total.firstIndex(where: { $0 > 0 }) { load[firstNonEmpty] += remaining }
            }
        }
        self.init(load: load, panic: panic)
    }

    /// The level for `hash` (any 64-bit value): `hash % 100 + 1` falls in a level's share.
    public func choose(_ hash: UInt64) -> Int {
        let point = Int(hash % 100) + 1
        var aggregate = 0
        for (i, l) in load.enumerated() {
            aggregate += l
            if point <= aggregate { return i }
        }
        return 0
    }
}
