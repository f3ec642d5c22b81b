import SwiftProtobuf
import TernConfig

/// `envoy.filters.http.local_ratelimit`: token-bucket rate limiting inside the proxy, with
/// Envoy's config, stats (`<stat_prefix>.http_local_rate_limit.*`) and local reply. The same
/// proto in a route's or virtual host's `typed_per_filter_config` replaces the filter's config
/// for that route; it must then carry a `token_bucket`.
public struct LocalRateLimitFilterFactory: HTTPFilterFactory {
    /// The filter's `name` in `http_filters`: the key of its per-route configs.
    let name: String
    let config: LocalRateLimitConfig

    public func makeFilter() -> any HTTPFilter { LocalRateLimitFilter(factory: self) }

    package static let registration = HTTPFilterRegistration(
        name: "envoy.filters.http.local_ratelimit",
        configType: LocalRateLimitConfig.Proto.self,
        perRouteConfigType: LocalRateLimitConfig.Proto.self,
        compilePerRoute: { any, path, context in
            try LocalRateLimitConfig(proto: unpack(any, path: path), path: path, context: context, perRoute: true)
        }
    ) { any, input in
        LocalRateLimitFilterFactory(
            name: input.name,
            config: try LocalRateLimitConfig(proto: unpack(any, path: input.path), path: input.path,
                                             context: input.context, perRoute: false))
    }

    static func unpack(_ any: Google_Protobuf_Any, path: String) throws -> LocalRateLimitConfig.Proto {
        do {
            return try LocalRateLimitConfig.Proto(unpackingAny: any)
        } catch {
            throw CompileError(path, "invalid LocalRateLimit: \(error)")
        }
    }
}
