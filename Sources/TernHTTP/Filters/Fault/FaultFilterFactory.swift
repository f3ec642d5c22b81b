import SwiftProtobuf
import TernConfig

/// `envoy.filters.http.fault`: injects delays and aborts (`HTTPFault`). The same proto in a
/// route's `typed_per_filter_config` replaces the filter's config for that route.
public struct FaultFilterFactory: HTTPFilterFactory {
    /// The filter's `name` in `http_filters`: the key of its per-route configs.
    let name: String
    let config: FaultConfig
    let stats: FaultStats

    public func makeFilter() -> any HTTPFilter { FaultFilter(factory: self) }

    package static let registration = HTTPFilterRegistration(
        name: "envoy.filters.http.fault",
        configType: FaultConfig.Proto.self,
        perRouteConfigType: FaultConfig.Proto.self,
        compilePerRoute: { any, path, context in
            try FaultConfig(proto: FaultConfig.Proto(unpackingAny: any), path: path, context: context)
        }
    ) { any, input in
        let proto = try FaultConfig.Proto(unpackingAny: any)
        return FaultFilterFactory(
            name: input.name,
            config: try FaultConfig(proto: proto, path: input.path, context: input.context),
            stats: FaultStats(root: input.context.stats.root, statPrefix: connectionManagerPrefix(input.statPrefix)))
    }

    /// `http.ingress.` → `ingress` (the stats scope adds `http.` and the tag itself).
    static func connectionManagerPrefix(_ statPrefix: String) -> String {
        var p = Substring(statPrefix)
        if p.hasPrefix("http.") { p = p.dropFirst(5) }
        if p.hasSuffix(".") { p = p.dropLast() }
        return String(p)
    }
}
