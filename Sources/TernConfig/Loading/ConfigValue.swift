/// A JSON-shaped configuration document: YAML and JSON inputs are both read into this, validated
/// against the proto descriptors, and written out as JSON for swift-protobuf's decoder.
///
/// Objects keep their members in input order so errors and re-encoded JSON are deterministic.
package indirect enum ConfigValue: Sendable, Hashable {
    /// JSON `null` (YAML `null`, `~` or an empty plain scalar).
    case null
    /// JSON `true` / `false`.
    case bool(Bool)
    /// A number; integers keep their exact digits.
    case number(ConfigNumber)
    /// A string.
    case string(String)
    /// An array.
    case array([ConfigValue])
    /// An object; keys are unique.
    case object([ConfigMember])
}

/// One `key: value` member of a `ConfigValue.object`.
package struct ConfigMember: Sendable, Hashable {
    /// The key as written in the input.
    package var key: String
    /// The member's value.
    package var value: ConfigValue

    /// Creates a member.
    package init(_ key: String, _ value: ConfigValue) {
        self.key = key
        self.value = value
    }
}

/// A number read from YAML or JSON.
package enum ConfigNumber: Sendable, Hashable {
    /// An integer in canonical decimal form (optional `-`, no leading zeros), of any size.
    case integer(String)
    /// A floating-point number; may be infinite or NaN (YAML `.inf`, `.nan`).
    case float(Double)

    /// The value as a `Double` (integers beyond 2^53 lose precision).
    package var doubleValue: Double {
        switch self {
        case .integer(let digits): return Double(digits) ?? .nan
        case .float(let value): return value
        }
    }

    /// Canonical decimal digits of an integer literal body (`[-+]?[0-9]+`), e.g. `+007` → `7`.
    package static func canonicalInteger(_ text: Substring) -> String {
        var negative = false
        var body = text
        if let sign = body.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        let digits = body.drop(while: { $0 == "0" })
        if digits.isEmpty { return "0" }
        return negative ? "-" + digits : String(digits)
    }
}

// MARK: - Describing values in messages

extension ConfigValue {
    /// A short name of the value's JSON kind for error messages: "a string", "an object", ...
    package var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// The kind and, for scalars, the value itself, e.g. `a number (80)` or `a string ("on")`.
    package var shortDescription: String {
        switch self {
        case .bool(let value): return "a boolean (\(value))"
        case .number(let number): return "a number (\(number.jsonText))"
        case .string(let string):
            let shown = string.count > 40 ? String(string.prefix(40)) + "…" : string
            return "a string (\"\(shown)\")"
        default: return kindDescription
        }
    }

    /// The members of an object, or nil for any other kind.
    package var objectMembers: [ConfigMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Looks up an object member by key.
    package subscript(key: String) -> ConfigValue? {
        objectMembers?.first(where: { $0.key == key })?.value
    }
}
