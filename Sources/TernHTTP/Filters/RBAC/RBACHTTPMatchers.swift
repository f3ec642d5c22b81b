import NIOHTTP1
import TernConfig
import TernNetwork

/// TernHTTP's matchers for the RBAC engine: `header` rules through the route table's
/// `HeaderMatch`, `url_path` and string rules through `StringMatch`. The HTTP filter uses it, and
/// the network filter gets it through its registration.
package struct RBACHTTPMatchers: RBACMatcherCompiler {
    package init() {}

    package func header(_ proto: Envoy_Config_Route_V3_HeaderMatcher, path: String) throws -> any RBACRequestRule {
        RBACHeaderRule(match: try HeaderMatch(proto: proto, path: path))
    }

    package func urlPath(_ proto: Envoy_Type_Matcher_V3_PathMatcher, path: String) throws -> any RBACRequestRule {
        guard case .path(let matcher)? = proto.rule else { throw CompileError(path + ".path", "a path matcher needs `path`") }
        return RBACPathRule(match: try StringMatch(proto: matcher, path: path + ".path"))
    }

    package func string(_ proto: Envoy_Type_Matcher_V3_StringMatcher, matches value: String, path: String) throws -> Bool {
        try StringMatch(proto: proto, path: path).matches(value)
    }

    package func stringMatcher(_ proto: Envoy_Type_Matcher_V3_StringMatcher, path: String) throws -> @Sendable (String) -> Bool {
        let match = try StringMatch(proto: proto, path: path)
        return { match.matches($0) }
    }
}
