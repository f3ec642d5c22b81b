import SwiftProtobuf
import TernConfig

/// Compiles a `typed_per_filter_config` map (virtual host or route) with the HTTP filter
/// registrations: each entry is found by its `@type` (the filter's per-route type), unwrapped from
/// `envoy.config.route.v3.FilterConfig` when wrapped, and compiled by its filter.
enum PerFilterConfigCompiler {
    static let filterConfigTypeURL = "type.googleapis.com/" + Envoy_Config_Route_V3_FilterConfig.protoMessageName

    static func compile(_ entries: [String: Google_Protobuf_Any], path: String, context: CompileContext,
                        registry: [HTTPFilterRegistration]) throws -> [String: any Sendable] {
        var out: [String: any Sendable] = [:]
        for key in entries.keys.sorted() {
            let epath = "\(path).\(key)"
            var any = entries[key]!
            var optional = false
            if any.typeURL == filterConfigTypeURL {
                let wrapper = try Envoy_Config_Route_V3_FilterConfig(unpackingAny: any)
                if wrapper.disabled {
                    context.warn(epath + ".disabled", "disabling a filter per route is not implemented by Tern yet; ignored")
                }
                guard wrapper.hasConfig else { continue }
                any = wrapper.config
                optional = wrapper.isOptional
            }
            let reg = registry.first { $0.perRouteTypeURL == any.typeURL }
            guard let reg, let compile = reg.compilePerRoute else {
                let known = registry.first { $0.typeURL == any.typeURL }
                if optional {
                    context.warn(epath, "per-route config \(any.typeURL) is not supported by Tern; skipped because is_optional is set")
                    continue
                }
                if let known {
                    throw CompileError(epath, "filter '\(known.name)' takes no per-route config of type \(any.typeURL)")
                }
                throw CompileError(epath, "unknown per-route filter config type \(any.typeURL)")
            }
            out[key] = try compile(any, epath, context)
        }
        return out
    }
}
