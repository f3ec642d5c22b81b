import NIOCore

/// Envoy's filter chain matching (`FilterChainManagerImpl`): criteria are applied in a fixed
/// order (destination port, destination IP, server name, transport protocol, application
/// protocols, direct source IP, source type, source IP, source port); at each step the chains
/// that name the connection's value most specifically win over the chains that leave the
/// criterion empty, and a chain naming another value drops out. Like Envoy's tree walk it never
/// backtracks: once a step has picked its most specific chains, a later step that rules them
/// all out means no match (the listener's default chain, if any), not a wider chain.
enum FilterChainSelector {
    static func select(_ chains: [FilterChainConfig], _ p: ConnectionMatchProperties) -> FilterChainConfig? {
        var candidates = chains
        // Destination port: exact beats unset.
        candidates = narrow(candidates) { c in
            guard let port = c.match.destinationPort else { return .any }
            return port == p.destination?.port ? .specific(0) : .no
        }
        // Destination IP: the longest matching prefix wins.
        candidates = narrow(candidates) { c in longestPrefix(c.match.prefixRanges, p.destination) }
        // Server name: exact beats every wildcard; among wildcards the longest suffix wins
        // (`*.b.example.com` before `*.example.com`); a wildcard never matches its bare domain.
        candidates = narrow(candidates) { c in
            guard !c.match.serverNames.isEmpty else { return .any }
            let sni = p.serverName.lowercased()
            guard !sni.isEmpty else { return .no }
            var best: Int?
            for name in c.match.serverNames {
                if name == sni {
                    best = Int.max
                } else if name.hasPrefix("*."), isWildcardMatch(sni, suffix: name.dropFirst()) {
                    best = max(best ?? 0, name.count)
                }
            }
            return best.map { .specific($0) } ?? .no
        }
        candidates = narrow(candidates) { c in
            guard !c.match.transportProtocol.isEmpty else { return .any }
            return c.match.transportProtocol == p.transportProtocol ? .specific(0) : .no
        }
        // Application protocols: the client's order decides. The first protocol it offers that
        // any chain names picks those chains (Envoy walks `requestedApplicationProtocols`).
        candidates = narrow(candidates) { c in
            guard !c.match.applicationProtocols.isEmpty else { return .any }
            guard let rank = p.applicationProtocols.firstIndex(where: c.match.applicationProtocols.contains) else {
                return .no
            }
            return .specific(p.applicationProtocols.count - rank)
        }
        candidates = narrow(candidates) { c in longestPrefix(c.match.directSourcePrefixRanges, p.directSource) }
        // Source type: a chain for the connection's kind beats one for any kind.
        candidates = narrow(candidates) { c in
            switch c.match.sourceType {
            case .any: return .any
            case .sameIPOrLoopback: return isSameIPOrLoopback(p) ? .specific(0) : .no
            case .external: return isSameIPOrLoopback(p) ? .no : .specific(0)
            }
        }
        candidates = narrow(candidates) { c in longestPrefix(c.match.sourcePrefixRanges, p.source) }
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

    private static func longestPrefix(_ ranges: [CIDRRange], _ address: SocketAddress?) -> Verdict {
        guard !ranges.isEmpty else { return .any }
        guard let address else { return .no }
        let best = ranges.filter { $0.contains(address) }.map(\.prefixLength).max()
        return best.map { .specific($0) } ?? .no
    }

    /// `suffix` is `.example.com`: matches when the SNI ends with it after at least one label
    /// (Envoy looks up the SNI's suffixes starting at its second label).
    private static func isWildcardMatch(_ sni: String, suffix: Substring) -> Bool {
        sni.count > suffix.count && sni.hasSuffix(suffix)
    }

    /// Envoy's `isSameIpOrLoopback`: the peer is a loopback address or the local address.
    private static func isSameIPOrLoopback(_ p: ConnectionMatchProperties) -> Bool {
        guard let source = p.source else { return false }
        if CIDRRange.isLoopback(source) { return true }
        guard let local = p.destination?.ipAddress, let remote = source.ipAddress else { return false }
        return local == remote
    }

    private static func narrow(_ chains: [FilterChainConfig], _ judge: (FilterChainConfig) -> Verdict) -> [FilterChainConfig] {
        // The common case, no chain naming this criterion, keeps the array as it is: a listener
        // with one catch-all chain chooses it at accept without allocating.
        if chains.allSatisfy({ if case .any = judge($0) { true } else { false } }) { return chains }
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
