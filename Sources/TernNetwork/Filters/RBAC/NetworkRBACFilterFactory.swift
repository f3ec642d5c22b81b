import NIOCore
import SwiftProtobuf
import TernConfig
import TernCore

/// `envoy.filters.network.rbac`: decides on a connection from its addresses when its first bytes
/// arrive (Envoy's `ONE_TIME_ON_FIRST_BYTE`, or on every read with `CONTINUOUS`), and closes a
/// denied connection before those bytes reach the filters after it.
public struct NetworkRBACFilterFactory: NetworkFilterFactory {
    let config: NetworkRBACConfig

    /// The registry entry. `matchers` compiles the string and path matchers the rules may hold
    /// (TernHTTP's `RBACHTTPMatchers`; TernNetwork cannot import them).
    package static func registration(matchers: any RBACMatcherCompiler) -> NetworkFilterRegistration {
        NetworkFilterRegistration(name: "envoy.filters.network.rbac",
                                  configType: Envoy_Extensions_Filters_Network_Rbac_V3_RBAC.self) { any, path, context in
            let proto: Envoy_Extensions_Filters_Network_Rbac_V3_RBAC
            do {
                proto = try Envoy_Extensions_Filters_Network_Rbac_V3_RBAC(unpackingAny: any)
            } catch {
                throw CompileError(path, "invalid RBAC: \(error)")
            }
            return try NetworkRBACFilterFactory(proto: proto, path: path, matchers: matchers, context: context)
        }
    }

    package init(proto: Envoy_Extensions_Filters_Network_Rbac_V3_RBAC, path: String, matchers: any RBACMatcherCompiler,
                 context: CompileContext) throws {
        config = try NetworkRBACConfig(proto: proto, path: path, matchers: matchers, context: context)
    }

    /// The `<stat_prefix>.rbac.*` counters.
    public var stats: RBACStats { config.stats }

    public func addHandlers(to channel: any Channel, connection: DownstreamConnection) throws {
        // Added before the terminal filter's handlers, so it sees every read first.
        try channel.pipeline.syncOperations.addHandler(NetworkRBACHandler(config: config, connection: connection))
    }
}
