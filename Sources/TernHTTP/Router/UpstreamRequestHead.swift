import NIOHTTP1
import TernUpstream

/// Turns the downstream request head into the one sent upstream: path and host rewrites,
/// the route's header mutations, Envoy's `x-envoy-*` request headers, and framing.
enum UpstreamRequestHead {
    static func prepare(_ head: inout HTTPRequestHead, action: ForwardAction, target: WeightedTarget?, route: RouteEntry,
                        host: Host, suppressEnvoyHeaders: Bool, info: StreamInfo) {
        let original = head.uri
        if let prefix = action.prefixRewrite, case .prefix(let matched) = route.match.path {
            head.uri = prefix + head.uri.dropFirst(min(matched.count, head.uri.count))
        } else if let prefix = action.prefixRewrite, case .separatedPrefix(let matched) = route.match.path {
            head.uri = prefix + head.uri.dropFirst(min(matched.count, head.uri.count))
        } else if let rewrite = action.regexRewrite {
            let q = head.uri.firstIndex(of: "?")
            let path = q.map { String(head.uri[..<$0]) } ?? head.uri
            let query = q.map { String(head.uri[$0...]) } ?? ""
            head.uri = rewrite.apply(path) + query
        }
        if head.uri != original, !suppressEnvoyHeaders {
            head.headers.replaceOrAdd(name: "x-envoy-original-path", value: original)
        }
        let originalHost = head.headers.first(name: "host")
        var newHost: String?
        if let literal = target?.hostRewriteLiteral {
            newHost = literal
        } else {
            switch action.hostRewrite {
            case .none: break
            case .literal(let h): newHost = h
            case .auto: newHost = host.hostname
            case .fromHeader(let name): newHost = head.headers.first(name: name)
            }
        }
        if let newHost, !newHost.isEmpty {
            head.headers.replaceOrAdd(name: "host", value: newHost)
            if action.appendXForwardedHost, let originalHost {
                if let xfh = head.headers.first(name: "x-forwarded-host") {
                    head.headers.replaceOrAdd(name: "x-forwarded-host", value: xfh + "," + originalHost)
                } else {
                    head.headers.add(name: "x-forwarded-host", value: originalHost)
                }
            }
        }
        if let target { target.requestMutations.apply(to: &head.headers, stream: info) }
        for m in route.requestMutations { m.apply(to: &head.headers, stream: info) }
        if !suppressEnvoyHeaders, let timeout = action.timeoutHeaderValue {
            head.headers.replaceOrAdd(literalName: "x-envoy-expected-rq-timeout-ms", value: timeout)
        }
        // Framing: keep a content-length; a chunked body stays chunked; nothing else frames a body.
        let chunked = head.headers.contains(name: "transfer-encoding")
        if head.headers.contains(name: "content-length") {
            if chunked { head.headers.remove(name: "transfer-encoding") }
        } else if chunked {
            head.headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
        }
        head.version = .http1_1
    }
}
