/// One value of endpoint or route `filter_metadata["envoy.lb"]`, compared as Envoy compares
/// `google.protobuf.Value`s when matching subsets: same kind and same value.
public enum LBMetadataValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    /// A list or struct, kept as its canonical JSON text: equal values have equal text.
    case structured(String)

    public var description: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b): String(b)
        case .null: "null"
        case .structured(let j): j
        }
    }
}

/// Endpoint metadata under `envoy.lb`, or a route's `metadata_match` criteria, by key.
public typealias LBMetadata = [String: LBMetadataValue]
