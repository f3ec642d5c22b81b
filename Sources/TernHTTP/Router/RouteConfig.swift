import NIOHTTP1

/// A compiled `RouteConfiguration`: virtual hosts indexed by domain for Envoy's search order
/// (exact, then the longest `*.suffix`, then the longest `prefix.*`, then `*`), each with its
/// ordered routes. Immutable and shared by every worker.
public final class RouteConfig: Sendable {
    public let name: String
    let virtualHosts: [VirtualHostConfig]
    let exact: [String: Int]
    /// `(suffix without '*', index)`, longest first.
    let suffixes: [(String, Int)]
    /// `(prefix without '*', index)`, longest first.
    let prefixes: [(String, Int)]
    let catchAll: Int?
    /// Headers the route configuration strips from requests (`internal_only_headers`) are handled
    /// by the connection manager only for external requests; kept here for it.
    public let internalOnlyHeaders: [String]

    init(name: String, virtualHosts: [VirtualHostConfig], internalOnlyHeaders: [String]) {
        self.name = name
        self.virtualHosts = virtualHosts
        self.internalOnlyHeaders = internalOnlyHeaders
        var exact: [String: Int] = [:]
        var suffixes: [(String, Int)] = []
        var prefixes: [(String, Int)] = []
        var catchAll: Int?
        for (i, vh) in virtualHosts.enumerated() {
            for domain in vh.domains {
                let d = domain.lowercased()
                if d == "*" {
                    catchAll = i
                } else if d.hasPrefix("*") {
                    suffixes.append((String(d.dropFirst()), i))
                } else if d.hasSuffix("*") {
                    prefixes.append((String(d.dropLast()), i))
                } else {
                    exact[d] = i
                }
            }
        }
        self.exact = exact
        self.suffixes = suffixes.sorted { $0.0.count > $1.0.count }
        self.prefixes = prefixes.sorted { $0.0.count > $1.0.count }
        self.catchAll = catchAll
    }

    /// The virtual host for a Host/:authority value.
    func virtualHost(for host: String) -> VirtualHostConfig? {
        // Only `*`: nothing to compare, so the host is not even lower-cased.
        if exact.isEmpty && suffixes.isEmpty && prefixes.isEmpty { return catchAll.map { virtualHosts[$0] } }
        let h = host.lowercased()
        if let i = exact[h] { return virtualHosts[i] }
        for (suffix, i) in suffixes where h.count > suffix.count && h.hasSuffix(suffix) { return virtualHosts[i] }
        for (prefix, i) in prefixes where h.count > prefix.count && h.hasPrefix(prefix) { return virtualHosts[i] }
        return catchAll.map { virtualHosts[$0] }
    }

    /// The first route of the request's virtual host that matches, or nil (Envoy answers 404 NR).
    public func route(for head: HTTPRequestHead) -> RouteEntry? {
        let host = head.headers.first(name: "host") ?? ""
        guard let vh = virtualHost(for: host) else { return nil }
        let uri = head.uri
        let path: Substring
        let query: Substring?
        if let q = uri.firstIndex(of: "?") {
            path = uri[..<q]
            query = uri[uri.index(after: q)...]
        } else {
            path = Substring(uri)
            query = nil
        }
        for route in vh.routes where route.match.matches(head: head, path: path, query: query) {
            return route
        }
        return nil
    }
}

/// A compiled `VirtualHost`.
final class VirtualHostConfig: Sendable {
    let name: String
    let domains: [String]
    let routes: [RouteEntry]

    init(name: String, domains: [String], routes: [RouteEntry]) {
        self.name = name
        self.domains = domains
        self.routes = routes
    }
}
