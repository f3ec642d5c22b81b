import NIOHTTP1
import TernConfig

/// A compiled `envoy.config.route.v3.HeaderMatcher`.
public struct HeaderMatch: Sendable {
    enum Rule: Sendable {
        case string(StringMatch)
        case present(Bool)
        case range(Int64, Int64)
    }

    let name: String
    let rule: Rule
    let invert: Bool
    let treatMissingAsEmpty: Bool

    package init(proto: Envoy_Config_Route_V3_HeaderMatcher, path: String) throws {
        name = proto.name.lowercased()
        invert = proto.invertMatch
        treatMissingAsEmpty = proto.treatMissingHeaderAsEmpty
        guard !name.isEmpty else { throw CompileError(path + ".name", "header name must not be empty") }
        switch proto.headerMatchSpecifier {
        case .exactMatch(let s): rule = .string(StringMatch(.exact(s)))
        case .prefixMatch(let s): rule = .string(StringMatch(.prefix(s)))
        case .suffixMatch(let s): rule = .string(StringMatch(.suffix(s)))
        case .containsMatch(let s): rule = .string(StringMatch(.contains(s)))
        case .safeRegexMatch(let r):
            rule = .string(StringMatch(.regex(try CompiledRegex.compile(r.regex, path: path + ".safe_regex_match.regex"))))
        case .stringMatch(let m): rule = .string(try StringMatch(proto: m, path: path + ".string_match"))
        case .presentMatch(let p): rule = .present(p)
        case .rangeMatch(let r): rule = .range(r.start, r.end)
        case nil: rule = .present(true)
        }
    }

    /// Envoy's semantics: several values of one header are joined with `,` before matching.
    public func matches(_ headers: HTTPHeaders) -> Bool {
        let values = headers[name]
        var value: String?
        if values.count == 1 { value = values[0] } else if values.count > 1 { value = values.joined(separator: ",") }
        if value == nil, treatMissingAsEmpty { value = "" }
        let result: Bool
        switch rule {
        case .present(let want):
            // present_match: false matches when the header is absent; invert flips either way.
            return (value != nil) == want ? !invert : invert
        case .string(let m):
            guard let value else { return false }
            result = m.matches(value)
        case .range(let lo, let hi):
            guard let value, let n = Int64(value) else { return false }
            result = n >= lo && n < hi
        }
        return result != invert
    }
}

/// A compiled `QueryParameterMatcher`.
public struct QueryParameterMatch: Sendable {
    let name: String
    let string: StringMatch?

    package init(proto: Envoy_Config_Route_V3_QueryParameterMatcher, path: String) throws {
        name = proto.name
        switch proto.queryParameterMatchSpecifier {
        case .stringMatch(let m): string = try StringMatch(proto: m, path: path + ".string_match")
        case .presentMatch, nil: string = nil
        }
    }

    func matches(_ query: Substring?) -> Bool {
        guard let query else { return false }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let eq = pair.firstIndex(of: "=")
            let key = eq.map { pair[..<$0] } ?? pair
            guard key == name else { continue }
            let value = eq.map { String(pair[pair.index(after: $0)...]) } ?? ""
            return string?.matches(value) ?? true
        }
        return false
    }
}
