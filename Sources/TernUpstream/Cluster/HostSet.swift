/// The hosts of one cluster at one moment, published by the cluster manager to every worker.
public struct HostSet: Sendable {
    public let hosts: [Host]
    /// Hosts repeated by weight for the weighted round robin (only when weights differ).
    public let weighted: [Host]

    public init(hosts: [Host]) {
        self.hosts = hosts
        if Set(hosts.map(\.weight)).count > 1 {
            // Interleave by weight so heavy hosts are spread out rather than bunched.
            var out: [Host] = []
            let maxWeight = hosts.map(\.weight).max() ?? 1
            for round in 0..<maxWeight {
                for h in hosts where h.weight > round { out.append(h) }
            }
            weighted = out
        } else {
            weighted = hosts
        }
    }

    public static let empty = HostSet(hosts: [])
}
