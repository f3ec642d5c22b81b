import SwiftProtobuf

/// A compiled `json_format` dictionary. A string value that is exactly one command keeps its
/// type (numbers print as JSON numbers, missing values as `null`); a string mixing text and
/// commands is rendered as text into a JSON string; other constants are emitted as given.
/// Keys come out sorted, since the proto `Struct` does not keep the config's order.
indirect enum AccessLogJSONNode: Sendable {
    /// Pre-encoded `"key"` and its value.
    case object([(key: [UInt8], value: AccessLogJSONNode)])
    case template([AccessLogToken])
    case typed(AccessLogToken)
    /// Pre-encoded JSON (a number, bool, null or constant string).
    case constant([UInt8])

    /// Compiles a `Struct`, collecting Envoy commands that are not implemented yet.
    static func compile(_ value: Google_Protobuf_Struct, unimplemented: inout [String]) throws(AccessLogError) -> AccessLogJSONNode {
        var entries: [(key: [UInt8], value: AccessLogJSONNode)] = []
        for key in value.fields.keys.sorted() {
            let node: AccessLogJSONNode
            do throws(AccessLogError) {
                node = try compile(value.fields[key]!, unimplemented: &unimplemented)
            } catch {
                throw AccessLogError("\(key): \(error.message)")
            }
            entries.append((AccessLogBytes.jsonString(key), node))
        }
        return .object(entries)
    }

    private static func compile(_ value: Google_Protobuf_Value, unimplemented: inout [String]) throws(AccessLogError) -> AccessLogJSONNode {
        switch value.kind {
        case .stringValue(let text):
            let parsed = try AccessLogFormatParser.parse(text)
            for name in parsed.unimplemented where !unimplemented.contains(name) { unimplemented.append(name) }
            if parsed.tokens.count == 1, let only = parsed.tokens.first {
                if case .literal = only { return .constant(AccessLogBytes.jsonString(text)) }
                return .typed(only)
            }
            if parsed.tokens.isEmpty { return .constant(AccessLogBytes.jsonString("")) }
            return .template(parsed.tokens)
        case .structValue(let nested):
            return try compile(nested, unimplemented: &unimplemented)
        case .numberValue(let number):
            if number.isFinite, number == number.rounded(), abs(number) < 1e15 {
                return .constant(Array(String(Int64(number)).utf8))
            }
            return .constant(Array(String(number).utf8))
        case .boolValue(let flag):
            return .constant(Array((flag ? "true" : "false").utf8))
        case .nullValue, .none:
            return .constant(AccessLogBytes.null)
        case .listValue:
            throw AccessLogError("lists are not supported in json_format")
        }
    }
}
