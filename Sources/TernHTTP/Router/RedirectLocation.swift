import NIOHTTP1

/// Builds the `location` of a `redirect` route from the request, as Envoy does.
enum RedirectLocation {
    static func build(_ r: RedirectAction, route: RouteEntry, head: HTTPRequestHead) -> String {
        let requestScheme = head.headers.first(name: "x-forwarded-proto") ?? "http"
        let scheme = r.scheme ?? requestScheme
        var authority = head.headers.first(name: "host") ?? ""
        if let h = r.host { authority = h }
        // Split any port off the authority so port_redirect can replace it.
        var hostPart = authority
        var port: String?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]"), Int(authority[authority.index(after: colon)...]) != nil {
            hostPart = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        }
        if let p = r.port { port = String(p) }
        if r.scheme != nil && r.scheme != requestScheme && r.port == nil {
            // Changing scheme drops a default port of the old one.
            if port == "80" || port == "443" { port = nil }
        }
        if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") { port = nil }
        let uri = head.uri
        let q = uri.firstIndex(of: "?")
        var path = q.map { String(uri[..<$0]) } ?? uri
        var query = q.map { String(uri[$0...]) } ?? ""
        if let p = r.path {
            if let pq = p.firstIndex(of: "?") {
                path = String(p[..<pq])
                query = String(p[pq...])
            } else {
                path = p
            }
        } else if let prefix = r.prefixRewrite, case .prefix(let matched) = route.match.path {
            path = prefix + path.dropFirst(min(matched.count, path.count))
        } else if let rewrite = r.regexRewrite {
            path = rewrite.apply(path)
        }
        if r.stripQuery { query = "" }
        return "\(scheme)://\(hostPart)\(port.map { ":" + $0 } ?? "")\(path)\(query)"
    }
}
