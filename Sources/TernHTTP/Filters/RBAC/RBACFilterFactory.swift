import SwiftProtobuf
import TernConfig
import TernCore
import TernNetwork

/// `envoy.filters.http.rbac`: the compiled filter. Decides each request when its headers arrive;
/// a denied request is answered 403 and never reaches the router.
public struct RBACFilterFactory: HTTPFilterFactory {
    /// The filter's name in `http_filters`: the key of its `typed_per_filter_config` on routes.
    let name: String
    let config: RBACFilterConfig
    /// `http.<hcm stat_prefix>.rbac.*`.
    public let stats: RBACStats

    /// The registry entry: name, config types and compile steps.
    package static let registration = HTTPFilterRegistration(
        name: "envoy.filters.http.rbac",
        configType: Envoy_Extensions_Filters_Http_Rbac_V3_RBAC.self,
        perRouteConfigType: Envoy_Extensions_Filters_Http_Rbac_V3_RBACPerRoute.self,
        compilePerRoute: { any, path, context in
            let proto: Envoy_Extensions_Filters_Http_Rbac_V3_RBACPerRoute
            do {
                proto = try Envoy_Extensions_Filters_Http_Rbac_V3_RBACPerRoute(unpackingAny: any)
            } catch {
                throw CompileError(path, "invalid RBACPerRoute: \(error)")
            }
            return try RBACFilterConfig(perRoute: proto, path: path, context: context)
        }
    ) { any, input in
        let proto: Envoy_Extensions_Filters_Http_Rbac_V3_RBAC
        do {
            proto = try Envoy_Extensions_Filters_Http_Rbac_V3_RBAC(unpackingAny: any)
        } catch {
            throw CompileError(input.path, "invalid RBAC: \(error)")
        }
        return try RBACFilterFactory(proto: proto, input: input)
    }

    package init(proto: Envoy_Extensions_Filters_Http_Rbac_V3_RBAC, input: HTTPFilterCompileInput) throws {
        name = input.name
        config = try RBACFilterConfig(proto: proto, path: input.path, context: input.context)
        stats = RBACStats(scope: Self.scope(input), rulesPrefix: proto.rulesStatPrefix,
                          shadowRulesPrefix: proto.shadowRulesStatPrefix)
    }

    /// `http.<prefix>.` as a scope tagged like the connection manager's own stats.
    private static func scope(_ input: HTTPFilterCompileInput) -> StatScope {
        let root = input.context.stats.root
        let p = input.statPrefix
        guard p.hasPrefix("http."), p.hasSuffix("."), p.count > 6 else { return root.scope(p) }
        let value = String(p.dropFirst(5).dropLast())
        return root.scope("http.", tag: "envoy_http_conn_manager_prefix", value: value)
    }

    public func makeFilter() -> any HTTPFilter {
        RBACFilter(factory: self)
    }
}
