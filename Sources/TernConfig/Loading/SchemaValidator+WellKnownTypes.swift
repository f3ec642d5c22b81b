import Foundation

/// Well-known types, which proto3 JSON writes in their own forms (`"5s"` for a Duration, a bare
/// `true` for a BoolValue, free JSON for a Struct), and `Any`, whose `@type` picks the schema for
/// the rest of the object.
extension SchemaValidator {
    /// The well-known types with a special JSON form.
    enum WellKnownType: String {
        case any = "google.protobuf.Any"
        case duration = "google.protobuf.Duration"
        case timestamp = "google.protobuf.Timestamp"
        case fieldMask = "google.protobuf.FieldMask"
        case structValue = "google.protobuf.Struct"
        case value = "google.protobuf.Value"
        case listValue = "google.protobuf.ListValue"
        case empty = "google.protobuf.Empty"
        case doubleValue = "google.protobuf.DoubleValue"
        case floatValue = "google.protobuf.FloatValue"
        case int64Value = "google.protobuf.Int64Value"
        case uint64Value = "google.protobuf.UInt64Value"
        case int32Value = "google.protobuf.Int32Value"
        case uint32Value = "google.protobuf.UInt32Value"
        case boolValue = "google.protobuf.BoolValue"
        case stringValue = "google.protobuf.StringValue"
        case bytesValue = "google.protobuf.BytesValue"

        /// The scalar a wrapper type holds.
        var wrapped: ProtoSchema.Kind? {
            switch self {
            case .doubleValue: return .double
            case .floatValue: return .float
            case .int64Value: return .int64
            case .uint64Value: return .uint64
            case .int32Value: return .int32
            case .uint32Value: return .uint32
            case .boolValue: return .bool
            case .stringValue: return .string
            case .bytesValue: return .bytes
            default: return nil
            }
        }

        /// Whether, packed in an `Any`, the JSON form goes under a `"value"` key.
        var usesValueKeyInAny: Bool {
            self != .empty
        }
    }

    mutating func wellKnown(_ value: ConfigValue, type: String, at path: ConfigPath, _ context: Context) throws(ConfigError) -> ConfigValue {
        guard let known = WellKnownType(rawValue: type) else {
            return try message(value, type: type, at: path, context)
        }
        if let scalar = known.wrapped {
            return try singular(value, kind: scalar, at: path, context)
        }
        switch known {
        case .any:
            return try anyValue(value, at: path, context)
        case .duration:
            return try durationValue(value, at: path)
        case .timestamp, .fieldMask:
            guard case .string = value else {
                throw ConfigError(path, "expected a string (\(type)), got \(value.shortDescription)")
            }
            return value
        case .structValue:
            guard case .object = value else {
                throw ConfigError(path, "expected an object (google.protobuf.Struct), got \(value.shortDescription)")
            }
            try checkFreeJSON(value, at: path)
            return value
        case .listValue:
            guard case .array = value else {
                throw ConfigError(path, "expected a list (google.protobuf.ListValue), got \(value.shortDescription)")
            }
            try checkFreeJSON(value, at: path)
            return value
        case .value:
            try checkFreeJSON(value, at: path)
            return value
        case .empty:
            guard case .object(let members) = value else {
                throw ConfigError(path, "expected an empty object {}, got \(value.shortDescription)")
            }
            if let first = members.first {
                let problem = "unknown field (google.protobuf.Empty has no fields)"
                if !allowUnknownFields { throw ConfigError(path.appending(field: first.key), problem) }
                for member in members {
                    warnings.append(ConfigWarning(path.appending(field: member.key), problem + "; ignored"))
                }
            }
            return .object([])
        default:
            throw ConfigError(path, "internal error: unhandled well-known type \(type)")
        }
    }

    // MARK: - Any

    private mutating func anyValue(_ value: ConfigValue, at path: ConfigPath, _ context: Context) throws(ConfigError) -> ConfigValue {
        guard case .object(let members) = value else {
            throw ConfigError(path, "expected an object with \"@type\" (google.protobuf.Any), got \(value.shortDescription)")
        }
        if members.isEmpty { return value }
        guard let typeMember = members.first(where: { $0.key == "@type" }) else {
            throw ConfigError(path, "missing \"@type\": an Any names its message, "
                + "e.g. \"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\"")
        }
        let typePath = path.appending(field: "@type")
        guard case .string(let url) = typeMember.value, let slash = url.lastIndex(of: "/"),
              url.index(after: slash) < url.endIndex else {
            throw ConfigError(typePath, "malformed type URL \(typeMember.value.shortDescription); "
                + "expected \"type.googleapis.com/<full message name>\"")
        }
        let typeName = String(url[url.index(after: slash)...])
        let body = members.filter { $0.key != "@type" }
        guard schema.messages[typeName] != nil else {
            if context.optionalExtension {
                warnings.append(ConfigWarning(path, "type URL '\(url)' is not known to Tern; the optional filter is skipped"))
                return value
            }
            throw ConfigError(path, "unknown type URL '\(url)': Tern has no message \(typeName)")
        }
        var inner = context
        inner.optionalExtension = false
        if let known = WellKnownType(rawValue: typeName), known.usesValueKeyInAny {
            // A well-known type inside an Any keeps its special JSON form under "value".
            var out = [ConfigMember("@type", .string(url))]
            for member in body {
                guard member.key == "value" else {
                    let problem = "unknown field (an Any holding \(typeName) has only \"@type\" and \"value\")"
                    if allowUnknownFields {
                        warnings.append(ConfigWarning(path.appending(field: member.key), problem + "; ignored"))
                        continue
                    }
                    throw ConfigError(path.appending(field: member.key), problem)
                }
                out.append(ConfigMember("value", try wellKnown(member.value, type: typeName, at: path.appending(field: "value"), inner)))
            }
            return .object(out)
        }
        let checked = try message(.object(body), type: typeName, at: path, inner)
        return .object([ConfigMember("@type", .string(url))] + (checked.objectMembers ?? []))
    }

    // MARK: - Duration

    private func durationValue(_ value: ConfigValue, at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        guard case .string(let text) = value else {
            var hint = "\"5s\""
            if case .number(let number) = value, number.doubleValue.isFinite {
                hint = "\"\(Self.secondsText(number.doubleValue))s\""
            }
            throw ConfigError(path, "expected a duration string such as \(hint), got \(value.shortDescription)")
        }
        if Self.isProtoDuration(text) { return value }
        if let seconds = Self.durationInSeconds(text) {
            throw ConfigError(path, "malformed duration \"\(text)\": Envoy wants seconds with an \"s\" suffix, "
                + "e.g. \"\(Self.secondsText(seconds))s\"")
        }
        throw ConfigError(path, "malformed duration \"\(text)\": Envoy wants seconds with an \"s\" suffix, "
            + "e.g. \"5s\" or \"0.25s\"")
    }

    /// proto3 JSON Duration: `-?[0-9]+(\.[0-9]{1,9})?s`, within ±315,576,000,000 s.
    static func isProtoDuration(_ text: String) -> Bool {
        guard text.hasSuffix("s") else { return false }
        var body = text.dropLast()
        if body.hasPrefix("-") { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let allDigits = { (part: Substring) in part.allSatisfy { $0.isASCII && $0.isNumber } }
        guard let whole = parts.first, !whole.isEmpty, allDigits(whole),
              let seconds = Int64(whole), seconds <= 315_576_000_000 else { return false }
        if parts.count == 2 {
            let fraction = parts[1]
            return !fraction.isEmpty && fraction.count <= 9 && allDigits(fraction)
        }
        return true
    }

    /// Reads durations people write elsewhere (`250ms`, `1m`, `1.5h`, `100us`, `10 s`) as seconds.
    static func durationInSeconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let numberPart = trimmed.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" }
        let unit = trimmed.dropFirst(numberPart.count).trimmingCharacters(in: .whitespaces).lowercased()
        guard let number = Double(numberPart) else { return nil }
        let scale: Double
        switch unit {
        case "ns", "nanosecond", "nanoseconds": scale = 1e-9
        case "us", "µs", "microsecond", "microseconds": scale = 1e-6
        case "ms", "millisecond", "milliseconds": scale = 1e-3
        case "", "s", "sec", "secs", "second", "seconds": scale = 1
        case "m", "min", "mins", "minute", "minutes": scale = 60
        case "h", "hr", "hour", "hours": scale = 3600
        case "d", "day", "days": scale = 86400
        default: return nil
        }
        return number * scale
    }

    /// Seconds in the form a Duration wants, without the suffix: `0.25`, `5`, `0.000001`.
    static func secondsText(_ seconds: Double) -> String {
        let nanos = Int64((seconds * 1e9).rounded())
        let sign = nanos < 0 ? "-" : ""
        let whole = abs(nanos) / 1_000_000_000
        let fraction = abs(nanos) % 1_000_000_000
        guard fraction != 0 else { return "\(sign)\(whole)" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(sign)\(whole).\(digits)"
    }

    // MARK: - Free JSON (Struct, Value, ListValue)

    /// Struct values are JSON doubles, so the only thing that cannot be carried is a non-finite
    /// number (YAML `.inf`, `.nan`).
    private func checkFreeJSON(_ value: ConfigValue, at path: ConfigPath) throws(ConfigError) {
        switch value {
        case .number(.float(let number)) where !number.isFinite:
            throw ConfigError(path, "\(number) cannot be stored in a google.protobuf.Struct")
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                try checkFreeJSON(element, at: path.appending(index: index))
            }
        case .object(let members):
            for member in members {
                try checkFreeJSON(member.value, at: path.appending(field: member.key))
            }
        default:
            break
        }
    }
}
