/// Writing a `ConfigValue` as JSON text, the input of swift-protobuf's JSON decoder.
extension ConfigValue {
    /// Compact JSON text for this value.
    ///
    /// Non-finite floats become the strings `"NaN"`, `"Infinity"` and `"-Infinity"`, which is how
    /// proto3 JSON spells them.
    package var jsonText: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null:
            out += "null"
        case .bool(let value):
            out += value ? "true" : "false"
        case .number(let number):
            out += number.jsonText
        case .string(let string):
            ConfigValue.writeQuoted(string, into: &out)
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                element.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                ConfigValue.writeQuoted(member.key, into: &out)
                out += ":"
                member.value.write(into: &out)
            }
            out += "}"
        }
    }

    private static func writeQuoted(_ string: String, into out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension ConfigNumber {
    /// JSON text of the number; non-finite values are quoted as proto3 JSON spells them.
    package var jsonText: String {
        switch self {
        case .integer(let digits):
            return digits
        case .float(let value):
            if value.isNaN { return "\"NaN\"" }
            if value.isInfinite { return value < 0 ? "\"-Infinity\"" : "\"Infinity\"" }
            return "\(value)"
        }
    }
}
