import NIOCore

/// Envoy's filter chain matching: criteria are applied in a fixed order (destination port,
/// destination IP, server name, transport protocol, application protocols, source IP, source
/// port); at each step the chains that name the connection's value specifically win over the
/// chains that leave the criterion empty, and a chain naming another value drops out.
enum FilterChainSelector {
    static func select(_ chains: [FilterChainConfig], _ p: ConnectionMatchProperties) -> FilterChainConfig? {
        var candidates = chains
        // Destination port: exact beats unset.
        candidates = narrow(candidates) { c in
            guard let port = c.match.destinationPort else { return .any }
            return port == p.destination?.port ? .specific(0) : .no
        }
        // Destination IP: the longest matching prefix wins.
        candidates = narrow(candidates) { c in
            guard !c.match.prefixRanges.isEmpty else { return .any }
            guard let d = p.destination else { return .no }
            let best = c.match.prefixRanges.filter { $0.contains(d) }.map(\.prefixLength).max()
            return best.map { .specific($0) } ?? .no
        }
        // Server name: exact beats the longest `*.suffix` wildcard.
        candidates = narrow(candidates) { c in
            guard !c.match.serverNames.isEmpty else { return .any }
            let sni = p.serverName.lowercased()
            guard !sni.isEmpty else { return .no }
            var best: Int?
            for name in c.match.serverNames {
                let n = name.lowercased()
                if n == sni { best = Int.max } else if n.hasPrefix("*."), sni.hasSuffix(n.dropFirst()) {
                    best = max(best ?? 0, n.count)
                }
            }
            return best.map { .specific($0) } ?? .no
        }
        candidates = narrow(candidates) { c in
            guard !c.match.transportProtocol.isEmpty else { return .any }
            return c.match.transportProtocol == p.transportProtocol ? .specific(0) : .no
        }
        candidates = narrow(candidates) { c in
            guard !c.match.applicationProtocols.isEmpty else { return .any }
            return c.match.applicationProtocols.contains(where: p.applicationProtocols.contains) ? .specific(0) : .no
        }
        candidates = narrow(candidates) { c in
            guard !c.match.sourcePrefixRanges.isEmpty else { return .any }
            guard let s = p.source else { return .no }
            let best = c.match.sourcePrefixRanges.filter { $0.contains(s) }.map(\.prefixLength).max()
            return best.map { .specific($0) } ?? .no
        }
        candidates = narrow(candidates) { c in
            guard !c.match.sourcePorts.isEmpty else { return .any }
            return c.match.sourcePorts.contains(p.source?.port ?? -1) ? .specific(0) : .no
        }
        return candidates.first
    }

    enum Verdict {
        case specific(Int)
        case any
        case no
    }

    private static func narrow(_ chains: [FilterChainConfig], _ judge: (FilterChainConfig) -> Verdict) -> [FilterChainConfig] {
        var specific: [(FilterChainConfig, Int)] = []
        var wildcard: [FilterChainConfig] = []
        for c in chains {
            switch judge(c) {
            case .specific(let score): specific.append((c, score))
            case .any: wildcard.append(c)
            case .no: break
            }
        }
        if let top = specific.map(\.1).max() {
            return specific.filter { $0.1 == top }.map(\.0)
        }
        return wildcard
    }
}
