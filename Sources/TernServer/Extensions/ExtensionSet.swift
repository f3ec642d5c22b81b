import SwiftProtobuf
import TernConfig
import TernNetwork

/// The extensions one compiler knows: the network filters it can build, and every proto type a
/// `typed_config` may hold (the `Any` registry is derived from this, never listed twice).
/// `ExtensionSet.builtin` is what the `tern` binary runs; tests may pass their own.
public struct ExtensionSet: Sendable {
    public let networkFilters: [NetworkFilterRegistration]
    /// The listener filters it can build (`listener_filters`).
    public let listenerFilters: [ListenerFilterRegistration]
    /// Config types of extensions that are not network filters (HTTP filters, access loggers, ...).
    public let otherConfigTypes: [any SwiftProtobuf.Message.Type]

    public init(networkFilters: [NetworkFilterRegistration], otherConfigTypes: [any SwiftProtobuf.Message.Type] = [],
                listenerFilters: [ListenerFilterRegistration] = BuiltinListenerFilters.all) {
        self.networkFilters = networkFilters
        self.listenerFilters = listenerFilters
        self.otherConfigTypes = otherConfigTypes
    }

    /// The built-in lists.
    public static var builtin: ExtensionSet {
        ExtensionSet(networkFilters: BuiltinNetworkFilters.all,
                     otherConfigTypes: BuiltinHTTPFilters.configTypes + knownConfigTypes)
    }

    /// Types that appear in `typed_config` fields Tern reads or tolerates, beyond the filters.
    /// (Network and HTTP filter types come from their registrations, never from here.)
    static var knownConfigTypes: [any SwiftProtobuf.Message.Type] {
        [Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions.self, Envoy_Config_Route_V3_FilterConfig.self,
         Envoy_Extensions_Retry_Host_PreviousHosts_V3_PreviousHostsPredicate.self]
            + AccessLogCompiler.configTypes + TLSContextCompiler.configTypes
    }

    /// Every type a `typed_config` may hold, without duplicates.
    public var anyTypes: [any SwiftProtobuf.Message.Type] {
        var seen = Set<String>()
        return (networkFilters.map(\.configType) + listenerFilters.map(\.configType) + otherConfigTypes).filter { seen.insert($0.protoMessageName).inserted }
    }

    /// Registers `anyTypes` with swift-protobuf's global `Any` registry, so configs holding them
    /// can be decoded from JSON and re-encoded to binary (fingerprints, config dumps).
    public func registerAnyTypes() {
        TernConfig.registerAnyTypes(anyTypes)
    }

    /// The network filter for a `Filter` entry: by `typed_config` type URL first, then by name.
    public func networkFilter(typeURL: String, name: String) -> NetworkFilterRegistration? {
        if !typeURL.isEmpty {
            let messageName = typeURL.split(separator: "/").last.map(String.init) ?? typeURL
            if let r = networkFilters.first(where: { $0.configType.protoMessageName == messageName }) { return r }
        }
        return networkFilters.first { $0.name == name }
    }

    /// The listener filter for a `ListenerFilter` entry: by `typed_config` type URL first, then by name.
    public func listenerFilter(typeURL: String, name: String) -> ListenerFilterRegistration? {
        if !typeURL.isEmpty {
            let messageName = typeURL.split(separator: "/").last.map(String.init) ?? typeURL
            if let r = listenerFilters.first(where: { $0.configType.protoMessageName == messageName }) { return r }
        }
        return listenerFilters.first { $0.name == name }
    }
}
