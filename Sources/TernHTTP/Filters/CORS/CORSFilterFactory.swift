import SwiftProtobuf
import TernConfig

/// `envoy.filters.http.cors`: the filter config (`Cors`) has no settings; the policies are
/// `CorsPolicy` entries in virtual hosts' and routes' `typed_per_filter_config`.
public struct CORSFilterFactory: HTTPFilterFactory {
    /// The filter's `name` in `http_filters`: the key of its per-route policies.
    let name: String
    let stats: CORSStats

    public func makeFilter() -> any HTTPFilter { CORSFilter(factory: self) }

    package static let registration = HTTPFilterRegistration(
        name: "envoy.filters.http.cors",
        configType: Envoy_Extensions_Filters_Http_Cors_V3_Cors.self,
        perRouteConfigType: CORSPolicy.Proto.self,
        compilePerRoute: { any, path, _ in
            try CORSPolicy(proto: CORSPolicy.Proto(unpackingAny: any), path: path)
        }
    ) { any, input in
        _ = try Envoy_Extensions_Filters_Http_Cors_V3_Cors(unpackingAny: any)
        return CORSFilterFactory(
            name: input.name,
            stats: CORSStats(root: input.context.stats.root,
                             statPrefix: FaultFilterFactory.connectionManagerPrefix(input.statPrefix)))
    }
}
