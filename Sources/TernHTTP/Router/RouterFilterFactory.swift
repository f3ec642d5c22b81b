import SwiftProtobuf
import TernConfig

/// `envoy.filters.http.router`: the terminal HTTP filter that forwards to the route's cluster.
public struct RouterFilterFactory: HTTPFilterFactory {
    /// `suppress_envoy_headers`: no `x-envoy-*` headers added upstream or downstream.
    public let suppressEnvoyHeaders: Bool

    public init(suppressEnvoyHeaders: Bool = false) {
        self.suppressEnvoyHeaders = suppressEnvoyHeaders
    }

    public var isTerminal: Bool { true }

    public func makeFilter() -> any HTTPFilter { RouterFilter(suppressEnvoyHeaders: suppressEnvoyHeaders) }

    package static let registration = HTTPFilterRegistration(
        name: "envoy.filters.http.router",
        configType: Envoy_Extensions_Filters_Http_Router_V3_Router.self
    ) { any, input in
        let proto = try Envoy_Extensions_Filters_Http_Router_V3_Router(unpackingAny: any)
        if !proto.upstreamLog.isEmpty { input.context.warn(input.path + ".upstream_log", "not implemented by Tern yet; ignored") }
        return RouterFilterFactory(suppressEnvoyHeaders: proto.suppressEnvoyHeaders)
    }
}
