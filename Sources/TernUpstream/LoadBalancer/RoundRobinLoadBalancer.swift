/// Envoy's ROUND_ROBIN, weighted by `load_balancing_weight`: one cursor per host list of the
/// worker's current host set. With equal weights it cycles in order; with unequal weights it
/// walks the weighted positions by a stride coprime with the total weight, so each host gets
/// exactly its weight per lap, spread through the lap (Envoy uses an EDF schedule to the same end).
/// One per worker and cluster: plain state, no locks, because only its event loop calls it.
public struct RoundRobinLoadBalancer: Sendable {
    private var cursors: [Int] = []
    private let seed: Int

    /// `seed` offsets every cursor, so workers do not all start on the same host.
    public init(seed: Int = 0) { self.seed = max(0, seed) }

    /// Cursors for `set`'s lists. A republished set (a health flag flipped, DNS answered again)
    /// keeps the cursors it had: starting over at the seed would send the next pick back to the
    /// first host after every update, and a retry to the host that just failed. New lists start
    /// at the seed.
    public mutating func reset(for set: HostSet) {
        if cursors.count > set.cursorCount {
            cursors.removeLast(cursors.count - set.cursorCount)
        } else if cursors.count < set.cursorCount {
            cursors += [Int](repeating: seed, count: set.cursorCount - cursors.count)
        }
    }

    /// The next host of `list`, or nil when it is empty.
    public mutating func pick(from list: HostList) -> Host? {
        guard !list.isEmpty else { return nil }
        if list.cursor >= cursors.count {
            // A list from a set this balancer was not reset for: grow rather than trap.
            cursors += [Int](repeating: seed, count: list.cursor + 1 - cursors.count)
        }
        let position = cursors[list.cursor] % list.totalWeight
        cursors[list.cursor] = position + 1
        if list.equalWeights { return list.hosts[position] }
        return list.host(atWeightedPosition: position * list.stride % list.totalWeight)
    }
}
