/// Envoy's LEAST_REQUEST. With equal weights: power of `choice_count` choices — draw that many
/// hosts at random and take the one with the fewest active requests (`rq_active`), the first
/// drawn on a tie. With unequal weights Envoy schedules by `weight / (active + 1)` (active request
/// bias 1.0); here each pick draws a host with probability proportional to that effective weight.
public enum LeastRequestLoadBalancer {
    public static func pick(from list: HostList, choiceCount: Int, random: inout LBRandom) -> Host? {
        guard !list.isEmpty else { return nil }
        if list.count == 1 { return list.hosts[0] }
        if list.equalWeights {
            var best: Host?
            var bestActive = Int64.max
            for _ in 0..<max(1, choiceCount) {
                let candidate = list.hosts[random.next(below: list.count)]
                let active = candidate.stats.rqActive.load(ordering: .relaxed)
                if best == nil || active < bestActive {
                    best = candidate
                    bestActive = active
                }
            }
            return best
        }
        var total = 0.0
        var effective: [Double] = []
        effective.reserveCapacity(list.count)
        for h in list.hosts {
            let active = Double(max(0, h.stats.rqActive.load(ordering: .relaxed)))
            let w = Double(max(1, h.weight)) / (active + 1)
            effective.append(w)
            total += w
        }
        var point = random.nextUnit() * total
        for (i, w) in effective.enumerated() {
            if point < w { return list.hosts[i] }
            point -= w
        }
        return list.hosts[list.count - 1]
    }
}
