import SwiftProtobuf
import TernConfig
import TernUpstream

/// Reads `filter_metadata["envoy.lb"]` (endpoint metadata, route `metadata_match`,
/// `default_subset`) into the values subset load balancing compares.
package enum LBMetadataCompiler {
    /// The filter name Envoy's subset load balancer reads.
    package static let filterName = "envoy.lb"

    /// `metadata.filter_metadata["envoy.lb"]`, nil when absent.
    package static func compile(_ metadata: Envoy_Config_Core_V3_Metadata) -> LBMetadata? {
        metadata.filterMetadata[filterName].map(compile)
    }

    /// Every field of `s`.
    package static func compile(_ s: Google_Protobuf_Struct) -> LBMetadata {
        var out: LBMetadata = [:]
        for (key, value) in s.fields { out[key] = compile(value) }
        return out
    }

    static func compile(_ v: Google_Protobuf_Value) -> LBMetadataValue {
        switch v.kind {
        case .stringValue(let s)?: return .string(s)
        case .numberValue(let n)?: return .number(n)
        case .boolValue(let b)?: return .bool(b)
        case .nullValue?, nil: return .null
        case .structValue?, .listValue?:
            // Canonical text: equal structures give equal strings.
            var options = JSONEncodingOptions()
            options.useDeterministicOrdering = true
            return .structured((try? v.jsonString(options: options)) ?? "")
        }
    }
}
