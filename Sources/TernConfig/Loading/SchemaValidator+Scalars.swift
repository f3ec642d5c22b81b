/// Scalar fields: strings, booleans, integers, floats, bytes and enums, checked the way proto3
/// JSON reads them, with hints for what YAML authors commonly get wrong.
extension SchemaValidator {
    func stringValue(_ value: ConfigValue, at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        switch value {
        case .string:
            return value
        case .number(let number):
            throw ConfigError(path, "expected a string, got \(value.shortDescription); quote it: \"\(number.literalText)\"")
        case .bool(let flag):
            throw ConfigError(path, "expected a string, got \(value.shortDescription); quote it: \"\(flag)\"")
        default:
            throw ConfigError(path, "expected a string, got \(value.shortDescription)")
        }
    }

    func boolValue(_ value: ConfigValue, at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        switch value {
        case .bool:
            return value
        case .string(let text) where ["on", "off", "yes", "no", "y", "n", "true", "false"].contains(text.lowercased()):
            throw ConfigError(path, "expected true or false, got \(value.shortDescription); "
                + "YAML 1.2 reads on/off/yes/no and quoted words as strings")
        default:
            throw ConfigError(path, "expected true or false, got \(value.shortDescription)")
        }
    }

    func integerValue(_ value: ConfigValue, kind: ProtoSchema.Kind, at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        let typeName = Self.integerTypeName(kind)
        let digits: String
        switch value {
        case .number(.integer(let text)):
            digits = text
        case .number(.float(let number)) where number.isFinite && number == number.rounded() && abs(number) < 1e19:
            // 1.0 or 1e3 written for an integer field; proto3 JSON accepts integral values.
            digits = number < 0 ? String(Int64(number)) : String(UInt64(number))
        case .string(let text) where Self.isIntegerText(text):
            // proto3 JSON allows integers as strings (the usual form for 64-bit values).
            digits = ConfigNumber.canonicalInteger(Substring(text))
        default:
            throw ConfigError(path, "expected an integer (\(typeName)), got \(value.shortDescription)")
        }
        let fits: Bool
        switch kind {
        case .int32: fits = Int32(digits) != nil
        case .int64: fits = Int64(digits) != nil
        case .uint32: fits = UInt32(digits) != nil
        default: fits = UInt64(digits) != nil
        }
        guard fits else { throw ConfigError(path, "\(digits) is out of range for \(typeName)") }
        return .number(.integer(digits))
    }

    func floatValue(_ value: ConfigValue, kind: ProtoSchema.Kind, at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        let number: Double
        switch value {
        case .number(let parsed):
            number = parsed.doubleValue
        case .string("NaN"):
            number = .nan
        case .string("Infinity"):
            number = .infinity
        case .string("-Infinity"):
            number = -.infinity
        case .string(let text) where Double(text) != nil && !text.contains(where: \.isLetter):
            number = Double(text) ?? 0
        default:
            throw ConfigError(path, "expected a number, got \(value.shortDescription)")
        }
        if kind == .float, number.isFinite, abs(number) > Double(Float.greatestFiniteMagnitude) {
            throw ConfigError(path, "\(number) is out of range for float")
        }
        if case .number(.integer(let digits)) = value { return .number(.integer(digits)) }
        return .number(.float(number))
    }

    func bytesValue(_ value: ConfigValue, at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        guard case .string(let text) = value else {
            throw ConfigError(path, "expected base64 bytes as a string, got \(value.shortDescription)")
        }
        let valid = text.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", "+", "/", "-", "_", "=": return true
            default: return false
            }
        }
        guard valid else { throw ConfigError(path, "expected base64 (standard or URL-safe), got \(value.shortDescription)") }
        return value
    }

    func enumValue(_ value: ConfigValue, type: String, at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        if type == "google.protobuf.NullValue" {
            if case .null = value { return value }
        }
        guard let enumeration = schema.enums[type] else {
            throw ConfigError(path, "internal error: no schema for enum \(type)")
        }
        switch value {
        case .string(let name):
            if enumeration.numbers[name] != nil { return value }
            var text = "unknown value '\(name)' for enum \(type); expected one of "
                + enumeration.names.joined(separator: ", ")
            if let match = enumeration.names.first(where: { $0.equalsIgnoringCase(name) }) {
                text += " (names are case-sensitive: '\(match)')"
            }
            throw ConfigError(path, text)
        case .number(.integer(let digits)) where Int32(digits) != nil:
            return value
        default:
            throw ConfigError(path, "expected a name of enum \(type), got \(value.shortDescription)")
        }
    }

    func checkMapKey(_ key: String, kind: ProtoSchema.Kind, at path: ConfigPath) throws(ConfigError) {
        switch kind {
        case .string:
            return
        case .bool:
            guard key == "true" || key == "false" else {
                throw ConfigError(path, "map key must be true or false")
            }
        case .int32, .int64, .uint32, .uint64:
            _ = try integerValue(.string(key), kind: kind, at: path)
        default:
            throw ConfigError(path, "internal error: unsupported map key type")
        }
    }

    // MARK: - Helpers

    static func integerTypeName(_ kind: ProtoSchema.Kind) -> String {
        switch kind {
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint32: return "uint32"
        default: return "uint64"
        }
    }

    /// `[-+]?[0-9]+`
    static func isIntegerText(_ text: String) -> Bool {
        var body = text.utf8[...]
        if body.first == UInt8(ascii: "-") || body.first == UInt8(ascii: "+") { body = body.dropFirst() }
        return !body.isEmpty && body.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

extension ConfigNumber {
    /// The number as it would be written in YAML, for hints.
    var literalText: String {
        switch self {
        case .integer(let digits): return digits
        case .float(let value): return "\(value)"
        }
    }
}

extension String {
    /// Case-insensitive ASCII equality.
    fileprivate func equalsIgnoringCase(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
