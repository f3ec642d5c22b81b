import TernConfig

/// A compiled `envoy.type.matcher.v3.StringMatcher`.
public struct StringMatch: Sendable {
    enum Pattern: @unchecked Sendable {
        case exact(String)
        case prefix(String)
        case suffix(String)
        case contains(String)
        case regex(Regex<AnyRegexOutput>)
    }

    let pattern: Pattern
    let ignoreCase: Bool

    init(_ pattern: Pattern, ignoreCase: Bool = false) {
        self.pattern = pattern
        self.ignoreCase = ignoreCase
    }

    package init(proto: Envoy_Type_Matcher_V3_StringMatcher, path: String) throws {
        ignoreCase = proto.ignoreCase
        func lowered(_ s: String) -> String { proto.ignoreCase ? s.lowercased() : s }
        switch proto.matchPattern {
        case .exact(let s): pattern = .exact(lowered(s))
        case .prefix(let s): pattern = .prefix(lowered(s))
        case .suffix(let s): pattern = .suffix(lowered(s))
        case .contains(let s): pattern = .contains(lowered(s))
        case .safeRegex(let r): pattern = .regex(try CompiledRegex.compile(r.regex, path: path + ".safe_regex.regex"))
        default: throw CompileError(path, "string matcher needs one of exact, prefix, suffix, contains, safe_regex")
        }
    }

    /// True when `value` matches.
    public func matches(_ value: String) -> Bool {
        let v = ignoreCase ? value.lowercased() : value
        switch pattern {
        case .exact(let s): return v == s
        case .prefix(let s): return v.hasPrefix(s)
        case .suffix(let s): return v.hasSuffix(s)
        case .contains(let s): return v.contains(s)
        case .regex(let r): return (try? r.wholeMatch(in: value)) != nil
        }
    }
}

/// Regex compilation for `safe_regex` fields: done once at config load, errors name the path.
enum CompiledRegex {
    static func compile(_ pattern: String, path: String) throws -> Regex<AnyRegexOutput> {
        do {
            return try Regex(pattern)
        } catch {
            throw CompileError(path, "invalid regex '\(pattern)': \(error)")
        }
    }
}
