import SwiftProtobuf
import TernConfig

/// `tern.filters.http.degradation`: a Tern extension in Envoy's extension style. Routes that
/// carry a `DegradationPerRoute` in `typed_per_filter_config` answer from their fallback (a
/// direct response, or another cluster) while their cluster has no healthy host or its circuit
/// breaker is open. Routes without one are untouched, so the filter costs one dictionary lookup.
public struct DegradationFilterFactory: HTTPFilterFactory {
    /// The filter's `name` in `http_filters`: the key of its per-route configs.
    let name: String
    let stats: DegradationStats

    public func makeFilter() -> any HTTPFilter { DegradationFilter(factory: self) }

    package static let registration = HTTPFilterRegistration(
        name: "tern.filters.http.degradation",
        configType: Tern_Extensions_Filters_Http_Degradation_V3_Degradation.self,
        perRouteConfigType: DegradationPolicy.Proto.self,
        compilePerRoute: { any, path, context in
            try DegradationPolicy(proto: DegradationPolicy.Proto(unpackingAny: any), path: path, context: context)
        }
    ) { any, input in
        _ = try Tern_Extensions_Filters_Http_Degradation_V3_Degradation(unpackingAny: any)
        return DegradationFilterFactory(
            name: input.name,
            stats: DegradationStats(root: input.context.stats.root,
                                    connectionManagerPrefix: FaultFilterFactory.connectionManagerPrefix(input.statPrefix)))
    }
}
