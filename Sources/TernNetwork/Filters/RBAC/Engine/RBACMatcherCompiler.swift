import TernConfig

/// A permission or principal that reads the HTTP request (`header`, `url_path`); compiled by
/// TernHTTP's matchers, evaluated by the engine.
public protocol RBACRequestRule: Sendable {
    func matches(_ request: RBACRequest) -> Bool
}

/// The matchers the RBAC engine borrows from TernHTTP: header and path matchers and string
/// matchers, which live above TernNetwork. TernHTTP's `RBACHTTPMatchers` implements it; the HTTP
/// filter uses it directly and the network filter receives it from its registration.
package protocol RBACMatcherCompiler: Sendable {
    /// A compiled `envoy.config.route.v3.HeaderMatcher`.
    func header(_ proto: Envoy_Config_Route_V3_HeaderMatcher, path: String) throws -> any RBACRequestRule
    /// A compiled `envoy.type.matcher.v3.PathMatcher` (the path without query and fragment).
    func urlPath(_ proto: Envoy_Type_Matcher_V3_PathMatcher, path: String) throws -> any RBACRequestRule
    /// Compiles a `StringMatcher` (errors name `path`) and tells whether it matches `value`.
    func string(_ proto: Envoy_Type_Matcher_V3_StringMatcher, matches value: String, path: String) throws -> Bool
    /// A compiled `StringMatcher` (errors name `path`).
    func stringMatcher(_ proto: Envoy_Type_Matcher_V3_StringMatcher, path: String) throws -> @Sendable (String) -> Bool
}

extension RBACMatcherCompiler {
    /// Validates once, then evaluates through `string(_:matches:path:)` (compilers that can keep
    /// a compiled matcher override this).
    package func stringMatcher(_ proto: Envoy_Type_Matcher_V3_StringMatcher, path: String) throws -> @Sendable (String) -> Bool {
        _ = try string(proto, matches: "", path: path)
        return { value in (try? self.string(proto, matches: value, path: path)) ?? false }
    }
}
