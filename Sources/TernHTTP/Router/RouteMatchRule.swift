import NIOHTTP1

/// A compiled `RouteMatch`.
struct RouteMatchRule: Sendable {
    enum PathRule: @unchecked Sendable {
        case prefix(String)
        case exact(String)
        case regex(Regex<AnyRegexOutput>)
        case separatedPrefix(String)
        case connect
    }

    let path: PathRule
    let caseSensitive: Bool
    let headers: [HeaderMatch]
    let queryParameters: [QueryParameterMatch]
    let grpcOnly: Bool

    /// `path` is the request target's path, `query` the part after `?` (nil when none).
    func matches(head: HTTPRequestHead, path reqPath: Substring, query: Substring?) -> Bool {
        switch path {
        case .prefix(let p):
            // Envoy matches a prefix against the whole :path, query string included.
            if caseSensitive {
                if !head.uri.hasPrefix(p) { return false }
            } else if !head.uri.lowercased().hasPrefix(p.lowercased()) { return false }
        case .exact(let p):
            if caseSensitive {
                if reqPath != p { return false }
            } else if reqPath.lowercased() != p.lowercased() { return false }
        case .regex(let r):
            if (try? r.wholeMatch(in: reqPath)) == nil { return false }
        case .separatedPrefix(let p):
            let candidate = caseSensitive ? String(reqPath) : reqPath.lowercased()
            let prefix = caseSensitive ? p : p.lowercased()
            guard candidate.hasPrefix(prefix) else { return false }
            if candidate.count != prefix.count, candidate.dropFirst(prefix.count).first != "/" { return false }
        case .connect:
            if head.method != .CONNECT { return false }
        }
        if grpcOnly {
            guard let ct = head.headers.first(name: "content-type"), ct.hasPrefix("application/grpc") else { return false }
        }
        for h in headers where !h.matches(head.headers) { return false }
        for q in queryParameters where !q.matches(query) { return false }
        return true
    }
}
