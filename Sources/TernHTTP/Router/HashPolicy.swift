import NIOCore
import NIOHTTP1
import TernConfig
import TernUpstream

/// A route's compiled `hash_policy`: how the router turns a request into the hash key RING_HASH
/// and MAGLEV clusters place it by. Policies are evaluated in order; each one that yields a value
/// is folded into the key (the previous key rotated left by one, XOR the new one, so repeated
/// policies do not cancel out), and a `terminal` policy that yielded one ends the evaluation.
public struct HashPolicy: Sendable {
    /// One `hash_policy` entry.
    public enum Method: Sendable, Equatable {
        /// `header.header_name` (lowercased; `:authority`, `:path`, `:method` read the request line).
        case header(String)
        /// `cookie.name`: the value of that request cookie. Tern does not generate the cookie.
        case cookie(String)
        /// `connection_properties.source_ip`: the downstream peer's IP address.
        case sourceIP
        /// `query_parameter.name`: the first value of that query parameter.
        case queryParameter(String)
    }

    /// A method and whether it is `terminal`.
    public struct Entry: Sendable, Equatable {
        public let method: Method
        public let terminal: Bool
    }

    public let entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// The request's hash key, nil when no policy yields a value.
    public func hash(_ head: HTTPRequestHead, source: SocketAddress?) -> UInt64? {
        var key: UInt64?
        for entry in entries {
            if let value = evaluate(entry.method, head, source) {
                let previous = key.map { ($0 << 1) | ($0 >> 63) } ?? 0
                key = previous ^ value
            }
            if entry.terminal, key != nil { break }
        }
        return key
    }

    private func evaluate(_ method: Method, _ head: HTTPRequestHead, _ source: SocketAddress?) -> UInt64? {
        switch method {
        case .header(let name):
            var values: [String]
            switch name {
            case ":authority": values = head.headers["host"]
            case ":path": values = [head.uri]
            case ":method": values = [head.method.rawValue]
            default: values = head.headers[name]
            }
            guard !values.isEmpty else { return nil }
            // As Envoy: every value counts, in an order-independent way, each hash seeding the next.
            values.sort()
            var seed: UInt64 = 0
            for v in values { seed = XXHash64.hash(v, seed: seed) }
            return seed
        case .cookie(let name):
            for line in head.headers["cookie"] {
                for pair in line.split(separator: ";") {
                    let trimmed = pair.drop { $0 == " " }
                    guard let eq = trimmed.firstIndex(of: "="), trimmed[..<eq] == name else { continue }
                    return XXHash64.hash(String(trimmed[trimmed.index(after: eq)...]))
                }
            }
            return nil
        case .sourceIP:
            guard let ip = source?.ipAddress else { return nil }
            return XXHash64.hash(ip)
        case .queryParameter(let name):
            guard let q = head.uri.firstIndex(of: "?") else { return nil }
            let query = head.uri[head.uri.index(after: q)...]
            for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts[0] == name { return XXHash64.hash(parts.count > 1 ? String(parts[1]) : "") }
            }
            return nil
        }
    }

    /// Compiles `hash_policy`; nil when empty.
    static func compile(_ policies: [Envoy_Config_Route_V3_RouteAction.HashPolicy], path: String,
                        context: CompileContext) throws -> HashPolicy? {
        guard !policies.isEmpty else { return nil }
        var entries: [Entry] = []
        for (i, p) in policies.enumerated() {
            let pp = "\(path).hash_policy[\(i)]"
            let method: Method
            switch p.policySpecifier {
            case .header(let h):
                guard !h.headerName.isEmpty else { throw CompileError("\(pp).header.header_name", "must not be empty") }
                if h.hasRegexRewrite { context.warn("\(pp).header.regex_rewrite", "not implemented by Tern yet; ignored") }
                method = .header(h.headerName.lowercased())
            case .cookie(let c):
                guard !c.name.isEmpty else { throw CompileError("\(pp).cookie.name", "must not be empty") }
                if c.hasTtl {
                    context.warn("\(pp).cookie.ttl", "Tern does not generate the cookie; requests without it are hashed by the other policies")
                }
                method = .cookie(c.name)
            case .connectionProperties(let cp):
                guard cp.sourceIp else { continue }
                method = .sourceIP
            case .queryParameter(let q):
                guard !q.name.isEmpty else { throw CompileError("\(pp).query_parameter.name", "must not be empty") }
                method = .queryParameter(q.name)
            case nil:
                throw CompileError(pp, "a hash policy needs one of header, cookie, connection_properties, query_parameter")
            }
            entries.append(Entry(method: method, terminal: p.terminal))
        }
        return entries.isEmpty ? nil : HashPolicy(entries: entries)
    }
}

extension ForwardAction {
    /// What the router tells the cluster's balancer about this request: the hash key (only
    /// computed for hash-based clusters) and the subset criteria of the route, merged with the
    /// chosen weighted cluster's (whose values win, as in Envoy).
    func loadBalancerContext(target: WeightedTarget?, head: HTTPRequestHead, source: SocketAddress?,
                             hashing: Bool) -> LoadBalancerContext {
        var context = LoadBalancerContext()
        if hashing, let hashPolicy { context.hashKey = hashPolicy.hash(head, source: source) }
        if let targetMatch = target?.metadataMatch {
            context.metadataMatch = (metadataMatch ?? [:]).merging(targetMatch) { _, new in new }
        } else {
            context.metadataMatch = metadataMatch
        }
        return context
    }
}

extension HashPolicy {
    /// Compiles the route action's `hash_policy` and `metadata_match` into `forward`.
    static func attach(to forward: inout ForwardAction, _ a: Envoy_Config_Route_V3_RouteAction, path: String,
                       context: CompileContext) throws {
        forward.hashPolicy = try compile(a.hashPolicy, path: path, context: context)
        if a.hasMetadataMatch { forward.metadataMatch = LBMetadataCompiler.compile(a.metadataMatch) }
    }
}
