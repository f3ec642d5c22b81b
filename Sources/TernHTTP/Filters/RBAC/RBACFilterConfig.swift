import TernConfig
import TernNetwork

/// A compiled `envoy.extensions.filters.http.rbac.v3.RBAC` as it decides: the enforced and the
/// shadow engine, each absent when its rules are. Also the compiled form of `RBACPerRoute`.
struct RBACFilterConfig: Sendable {
    /// Nil without `rules`: every request is allowed and nothing is counted.
    let engine: RBACEngine?
    let shadowEngine: RBACEngine?

    static let disabled = RBACFilterConfig(engine: nil, shadowEngine: nil)

    init(engine: RBACEngine?, shadowEngine: RBACEngine?) {
        self.engine = engine
        self.shadowEngine = shadowEngine
    }

    init(proto: Envoy_Extensions_Filters_Http_Rbac_V3_RBAC, path: String, context: CompileContext) throws {
        let compiler = RBACEngineCompiler(matchers: RBACHTTPMatchers(), level: .http)
        engine = proto.hasRules ? try compiler.compile(proto.rules, path: path + ".rules") : nil
        shadowEngine = proto.hasShadowRules ? try compiler.compile(proto.shadowRules, path: path + ".shadow_rules") : nil
        if proto.trackPerRuleStats {
            context.warn(path + ".track_per_rule_stats", "not implemented by Tern yet; ignored")
        }
    }

    /// `RBACPerRoute`: its `rbac` replaces the filter's config on the route; without `rbac` the
    /// filter is disabled there (Envoy: "If absent, the global RBAC policy will be disabled").
    /// Stats stay the filter's, so the per-route stat prefixes are not used, as in Envoy.
    init(perRoute proto: Envoy_Extensions_Filters_Http_Rbac_V3_RBACPerRoute, path: String, context: CompileContext) throws {
        guard proto.hasRbac else {
            self = .disabled
            return
        }
        try self.init(proto: proto.rbac, path: path + ".rbac", context: context)
    }
}
