internal import Yams

/// Reads YAML text into a `ConfigValue` the way Envoy's YAML bootstrap is meant to be read.
///
/// Plain scalars resolve by the YAML 1.2 core schema: `true`/`false`, `null`/`~`/empty, decimal,
/// `0o` and `0x` integers, floats and `.inf`/`.nan`; everything else, including YAML 1.1's
/// `on`/`yes`/`off`/`no`, `1_000` and dates, stays a string. Quoted and block scalars are always
/// strings. Anchors and aliases come resolved from Yams; merge keys (`<<`) are applied here.
package enum YAMLTreeBuilder {
    /// Parses a single YAML document; an empty document is `null`.
    package static func parse(_ text: String) throws(ConfigError) -> ConfigValue {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch {
            throw ConfigError(path: "", message: "invalid YAML: \(error)")
        }
        guard let root else { return .null }
        return try value(of: root, at: .root)
    }

    // MARK: - Nodes

    private static func value(of node: Node, at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        switch node {
        case .scalar(let scalar):
            return try value(of: scalar, at: path)
        case .sequence(let sequence):
            var elements: [ConfigValue] = []
            elements.reserveCapacity(sequence.count)
            for element in sequence {
                elements.append(try value(of: element, at: path.appending(index: elements.count)))
            }
            return .array(elements)
        case .mapping(let mapping):
            return try object(of: mapping, at: path)
        case .alias:
            // Yams' composer replaces aliases by the anchored node; this case only exists for emitting.
            throw ConfigError(path, "unresolved YAML alias")
        }
    }

    private static func object(of mapping: Node.Mapping, at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        var members: [ConfigMember] = []
        var seen: Set<String> = []
        var merged: [ConfigMember] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw ConfigError(path, "mapping keys must be scalars")
            }
            // Yams resolves key tags while checking for duplicate keys, so recognise the merge key
            // by its text and style rather than its tag.
            if keyScalar.string == "<<" && keyScalar.style == .plain {
                merged += try mergeSources(valueNode, at: path)
                continue
            }
            let key = keyScalar.string
            // Yams rejects duplicate keys itself; this catches a key repeated after a merge.
            guard seen.insert(key).inserted else {
                throw ConfigError(path.appending(field: key), "duplicate key")
            }
            members.append(ConfigMember(key, try value(of: valueNode, at: path.appending(field: key))))
        }
        // Keys written in the mapping win over merged ones; among merged mappings the first wins.
        for member in merged where seen.insert(member.key).inserted {
            members.append(member)
        }
        return .object(members)
    }

    private static func mergeSources(_ node: Node, at path: ConfigPath) throws(ConfigError) -> [ConfigMember] {
        let mergePath = path.appending(field: "<<")
        switch node {
        case .mapping:
            return try value(of: node, at: mergePath).objectMembers ?? []
        case .sequence(let sequence):
            var members: [ConfigMember] = []
            for (index, element) in sequence.enumerated() {
                guard case .mapping = element else {
                    throw ConfigError(mergePath.appending(index: index), "a merge key takes mappings")
                }
                members += try value(of: element, at: mergePath.appending(index: index)).objectMembers ?? []
            }
            return members
        default:
            throw ConfigError(mergePath, "a merge key takes a mapping or a list of mappings")
        }
    }

    // MARK: - Scalars

    private static func value(of scalar: Node.Scalar, at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        let text = scalar.string
        // Yams reports quoted and block scalars with the `str` tag and untagged plain ones with "".
        switch scalar.tag.rawValue {
        case "":
            return resolvePlain(text)
        case "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:binary":
            return .string(text)
        case "tag:yaml.org,2002:int":
            guard case .number(.integer(let digits))? = resolveNumber(text) else {
                throw ConfigError(path, "'\(text)' is not an integer (tagged !!int)")
            }
            return .number(.integer(digits))
        case "tag:yaml.org,2002:float":
            guard case .number(let number)? = resolveNumber(text) else {
                throw ConfigError(path, "'\(text)' is not a number (tagged !!float)")
            }
            return .number(.float(number.doubleValue))
        case "tag:yaml.org,2002:bool":
            guard case .bool(let value)? = resolveBool(text) else {
                throw ConfigError(path, "'\(text)' is not true or false (tagged !!bool)")
            }
            return .bool(value)
        case "tag:yaml.org,2002:null":
            return .null
        case let tag:
            throw ConfigError(path, "unsupported YAML tag '\(tag)'")
        }
    }

    /// Resolves an untagged plain scalar by the YAML 1.2 core schema.
    package static func resolvePlain(_ text: String) -> ConfigValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        default: break
        }
        if let bool = resolveBool(text) { return bool }
        if let number = resolveNumber(text) { return number }
        return .string(text)
    }

    private static func resolveBool(_ text: String) -> ConfigValue? {
        switch text {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: return nil
        }
    }

    private static func resolveNumber(_ text: String) -> ConfigValue? {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { return nil }
        if let integer = resolveInteger(text, utf8) { return .number(integer) }
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .number(.float(.infinity))
        case "-.inf", "-.Inf", "-.INF": return .number(.float(-.infinity))
        case ".nan", ".NaN", ".NAN": return .number(.float(.nan))
        default: break
        }
        guard isCoreFloat(utf8), let value = Double(text) else { return nil }
        return .number(.float(value))
    }

    private static func resolveInteger(_ text: String, _ utf8: [UInt8]) -> ConfigNumber? {
        if utf8.count > 2, utf8[0] == UInt8(ascii: "0") {
            let digits = text.dropFirst(2)
            let radix: Int
            switch utf8[1] {
            case UInt8(ascii: "o"): radix = 8
            case UInt8(ascii: "x"): radix = 16
            default: radix = 0
            }
            if radix != 0 {
                // Only digits of the radix; `UInt64(_:radix:)` alone would also accept a sign.
                guard digits.allSatisfy({ $0.isHexDigit && Int(String($0), radix: radix) != nil }),
                      let value = UInt64(digits, radix: radix) else { return nil }
                return .integer(String(value))
            }
        }
        var body = utf8[...]
        if body.first == UInt8(ascii: "-") || body.first == UInt8(ascii: "+") { body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy(isDigit) else { return nil }
        return .integer(ConfigNumber.canonicalInteger(Substring(text)))
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isCoreFloat(_ utf8: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < utf8.count, isDigit(utf8[index]) { index += 1 }
            return index - start
        }
        if index < utf8.count, utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") { index += 1 }
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        } else {
            guard digits() > 0 else { return false }
            if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
                index += 1
                _ = digits()
            }
        }
        if index < utf8.count, utf8[index] == UInt8(ascii: "e") || utf8[index] == UInt8(ascii: "E") {
            index += 1
            if index < utf8.count, utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == utf8.count
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
