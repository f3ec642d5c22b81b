/// Envoy's RANDOM: a uniformly random host of the list (Envoy's random balancer ignores weights).
public enum RandomLoadBalancer {
    public static func pick(from list: HostList, random: inout LBRandom) -> Host? {
        guard !list.isEmpty else { return nil }
        return list.hosts[random.next(below: list.count)]
    }
}
