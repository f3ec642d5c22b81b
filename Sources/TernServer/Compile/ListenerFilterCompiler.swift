import NIOCore
import SwiftProtobuf
import TernConfig
import TernNetwork

/// Compiles a listener's `listener_filters` (with `listener_filters_timeout` and
/// `continue_on_listener_filters_timeout`) through the registrations in the `ExtensionSet`,
/// found by `typed_config` type URL, then by name.
struct ListenerFilterCompiler {
    let context: CompileContext
    let extensions: ExtensionSet

    /// The compiled filters, the timeout (nil: none) and whether a timeout continues.
    struct Phase {
        var filters: [any ListenerFilterFactory] = []
        var timeout: TimeAmount? = .seconds(15)
        var continueOnTimeout = false
    }

    func compile(_ l: Envoy_Config_Listener_V3_Listener, path: String) throws -> Phase {
        var phase = Phase()
        for (i, filter) in l.listenerFilters.enumerated() {
            if let factory = try compileFilter(filter, path: "\(path).listener_filters[\(i)]") {
                phase.filters.append(factory)
            }
        }
        if l.hasListenerFiltersTimeout {
            // Envoy: 0 disables the timeout.
            phase.timeout = l.listenerFiltersTimeout.isZero ? nil : l.listenerFiltersTimeout.timeAmount
        }
        phase.continueOnTimeout = l.continueOnListenerFiltersTimeout
        return phase
    }

    private func compileFilter(_ filter: Envoy_Config_Listener_V3_ListenerFilter, path: String) throws -> (any ListenerFilterFactory)? {
        let hasTyped: Bool
        if case .typedConfig? = filter.configType { hasTyped = true } else { hasTyped = false }
        let typeURL = hasTyped ? filter.typedConfig.typeURL : ""
        guard let registration = extensions.listenerFilter(typeURL: typeURL, name: filter.name) else {
            // Sidecar configs routinely carry original_dst, http_inspector, proxy_protocol: a
            // filter Tern lacks is skipped with a warning rather than refusing the listener.
            context.warn(path, "'\(filter.name)' is not implemented by Tern yet; ignored")
            return nil
        }
        return try TypedExtensionConfig.compile(typedConfig: hasTyped ? filter.typedConfig : nil,
                                                defaultType: registration.configType, path: path, context: context,
                                                registration.compile)
    }
}
