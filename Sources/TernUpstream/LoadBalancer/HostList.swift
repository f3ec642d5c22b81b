/// The hosts one pick chooses among (a priority's healthy hosts, all of them in panic, or one
/// locality's), with their weights prepared once per host-set publication so that a weighted
/// pick on the request path is a binary search, not a walk over weights.
public final class HostList: Sendable {
    public let hosts: [Host]
    /// Running sums of the weights (`cumulative[i]` = weights of hosts 0...i); empty when all
    /// weights are equal, so unweighted picks skip the search.
    let cumulative: [Int]
    /// Sum of weights (the host count when weights are equal).
    let totalWeight: Int
    /// A step coprime with `totalWeight`: the weighted round robin visits positions
    /// `0, stride, 2·stride, …` mod `totalWeight`, which gives every host exactly its weight in
    /// picks per lap while spreading a heavy host's turns through the lap.
    let stride: Int
    /// This list's round-robin cursor slot in a worker's balancer (unique within a `HostSet`).
    let cursor: Int

    init(_ hosts: [Host], cursor: inout Int) {
        self.hosts = hosts
        self.cursor = cursor
        cursor += 1
        let weights = hosts.map { max(1, $0.weight) }
        if let first = weights.first, weights.contains(where: { $0 != first }) {
            var sums: [Int] = []
            sums.reserveCapacity(weights.count)
            var running = 0
            for w in weights {
                running += w
                sums.append(running)
            }
            cumulative = sums
            totalWeight = running
            stride = HostList.coprimeStride(running)
        } else {
            cumulative = []
            totalWeight = hosts.count
            stride = 1
        }
    }

    public var isEmpty: Bool { hosts.isEmpty }
    public var count: Int { hosts.count }
    /// Whether every host has the same weight.
    public var equalWeights: Bool { cumulative.isEmpty }

    /// The host owning weighted position `position` (0 ..< totalWeight).
    func host(atWeightedPosition position: Int) -> Host {
        guard !cumulative.isEmpty else { return hosts[position % hosts.count] }
        var lo = 0
        var hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > position { hi = mid } else { lo = mid + 1 }
        }
        return hosts[lo]
    }

    /// A host drawn with probability proportional to its weight.
    func weightedRandom(_ random: inout LBRandom) -> Host {
        host(atWeightedPosition: random.next(below: totalWeight))
    }

    /// Near the golden ratio of `total` so consecutive picks land far apart, and coprime with it.
    static func coprimeStride(_ total: Int) -> Int {
        guard total > 2 else { return 1 }
        var s = max(1, Int(Double(total) * 0.618_033_988_75))
        while gcd(s, total) != 1 { s += 1 }
        return s
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
