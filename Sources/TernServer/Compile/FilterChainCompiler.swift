import SwiftProtobuf
import TernConfig
import TernNetwork

/// Compiles one `envoy.config.listener.v3.FilterChain`: its match into `FilterChainMatch`, and
/// each network filter through the registration found by type URL (then name).
struct FilterChainCompiler {
    let context: CompileContext
    let extensions: ExtensionSet
    /// The listener's stat prefix: TLS stats are `listener.<prefix>.ssl.*`.
    var statPrefix = ""

    func compile(_ chain: Envoy_Config_Listener_V3_FilterChain, path: String) throws -> FilterChainConfig {
        let match = try self.match(chain.filterChainMatch, path: "\(path).filter_chain_match")
        let transportSocket = chain.hasTransportSocket
            ? try TLSContextCompiler(context: context).downstream(chain.transportSocket, path: "\(path).transport_socket",
                                                                  statPrefix: statPrefix)
            : nil
        if chain.filters.isEmpty {
            context.warn("\(path).filters", "no network filters: connections on this chain are closed at once")
        }
        var filters: [any NetworkFilterFactory] = []
        for (i, filter) in chain.filters.enumerated() {
            filters.append(try compileFilter(filter, path: "\(path).filters[\(i)]"))
        }
        return FilterChainConfig(name: chain.name, match: match, filters: filters, transportSocket: transportSocket)
    }

    private func compileFilter(_ filter: Envoy_Config_Listener_V3_Filter, path: String) throws -> any NetworkFilterFactory {
        let hasTyped: Bool
        if case .typedConfig? = filter.configType { hasTyped = true } else { hasTyped = false }
        let typeURL = hasTyped ? filter.typedConfig.typeURL : ""
        guard let registration = extensions.networkFilter(typeURL: typeURL, name: filter.name) else {
            if hasTyped {
                throw CompileError("\(path).typed_config",
                                   "unknown network filter type '\(typeURL)' (name '\(filter.name)')")
            }
            throw CompileError("\(path).name", "unknown network filter '\(filter.name)'")
        }
        return try TypedExtensionConfig.compile(typedConfig: hasTyped ? filter.typedConfig : nil,
                                                defaultType: registration.configType, path: path, context: context,
                                                registration.compile)
    }

    // MARK: - filter_chain_match

    func match(_ m: Envoy_Config_Listener_V3_FilterChainMatch, path: String) throws -> FilterChainMatch {
        if m.hasDestinationPort, m.destinationPort.value == 0 || m.destinationPort.value > 65535 {
            throw CompileError("\(path).destination_port", "port \(m.destinationPort.value) is out of range (1-65535)")
        }
        for (i, port) in m.sourcePorts.enumerated() where port > 65535 {
            throw CompileError("\(path).source_ports[\(i)]", "port \(port) is out of range (0-65535)")
        }
        if !m.addressSuffix.isEmpty || m.hasSuffixLen {
            context.warn("\(path).address_suffix", "not implemented by Tern yet; ignored")
        }
        // Envoy matches `*.example.com` only; a `*` anywhere else is refused, not guessed at.
        for (i, name) in m.serverNames.enumerated() where name.contains("*") {
            guard name.hasPrefix("*."), name.dropFirst().firstIndex(of: "*") == nil, name.count > 2 else {
                throw CompileError("\(path).server_names[\(i)]", "partial wildcards are not supported in \"server_names\"")
            }
        }
        let sourceType: FilterChainMatch.SourceType = switch m.sourceType {
        case .sameIpOrLoopback: .sameIPOrLoopback
        case .external: .external
        default: .any
        }
        return FilterChainMatch(
            destinationPort: m.hasDestinationPort ? Int(m.destinationPort.value) : nil,
            prefixRanges: try ranges(m.prefixRanges, path: "\(path).prefix_ranges"),
            serverNames: m.serverNames,
            transportProtocol: m.transportProtocol,
            applicationProtocols: m.applicationProtocols,
            directSourcePrefixRanges: try ranges(m.directSourcePrefixRanges, path: "\(path).direct_source_prefix_ranges"),
            sourceType: sourceType,
            sourcePrefixRanges: try ranges(m.sourcePrefixRanges, path: "\(path).source_prefix_ranges"),
            sourcePorts: m.sourcePorts.map { Int($0) })
    }

    private func ranges(_ list: [Envoy_Config_Core_V3_CidrRange], path: String) throws -> [CIDRRange] {
        try list.enumerated().map { i, r in
            // An unset prefix_len means the whole address, as in Envoy.
            let isV6 = r.addressPrefix.contains(":")
            let length = r.hasPrefixLen ? Int(r.prefixLen.value) : (isV6 ? 128 : 32)
            guard let range = CIDRRange(address: r.addressPrefix, prefixLength: length) else {
                throw CompileError("\(path)[\(i)]", "'\(r.addressPrefix)/\(length)' is not a valid CIDR range")
            }
            return range
        }
    }
}
