/// Reads JSON text (RFC 8259) into a `ConfigValue`, keeping integers exact and rejecting duplicate
/// keys, which a generic JSON library would silently collapse.
package struct JSONTreeParser {
    private let bytes: [UInt8]
    private var offset = 0
    private var depth = 0
    private static let maxDepth = 256

    /// Parses `text` as one JSON value.
    package static func parse(_ text: String) throws(ConfigError) -> ConfigValue {
        var parser = JSONTreeParser(bytes: Array(text.utf8))
        parser.skipWhitespace()
        let value = try parser.parseValue(at: .root)
        parser.skipWhitespace()
        if parser.offset < parser.bytes.count {
            throw parser.syntaxError("unexpected text after the JSON value")
        }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: - Values

    private mutating func parseValue(at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        guard let byte = peek() else { throw syntaxError("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(at: path)
        case UInt8(ascii: "["): return try parseArray(at: path)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw syntaxError("unexpected character '\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func parseObject(at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        try enter()
        offset += 1
        var members: [ConfigMember] = []
        var seen: Set<String> = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw syntaxError("expected a quoted object key") }
            let key = try parseString()
            if !seen.insert(key).inserted {
                throw ConfigError(path.appending(field: key), "duplicate key")
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw syntaxError("expected ':' after object key") }
            offset += 1
            skipWhitespace()
            members.append(ConfigMember(key, try parseValue(at: path.appending(field: key))))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"): offset += 1; depth -= 1; return .object(members)
            default: throw syntaxError("expected ',' or '}' in object")
            }
        }
    }

    private mutating func parseArray(at path: ConfigPath) throws(ConfigError) -> ConfigValue {
        try enter()
        offset += 1
        var elements: [ConfigValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            offset += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(at: path.appending(index: elements.count)))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"): offset += 1; depth -= 1; return .array(elements)
            default: throw syntaxError("expected ',' or ']' in list")
            }
        }
    }

    private mutating func enter() throws(ConfigError) {
        depth += 1
        if depth > Self.maxDepth { throw syntaxError("nesting deeper than \(Self.maxDepth) levels") }
    }

    // MARK: - Scalars

    private mutating func parseString() throws(ConfigError) -> String {
        offset += 1  // opening quote
        var scalars = String.UnicodeScalarView()
        var runStart = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                if offset > runStart {
                    scalars.append(contentsOf: String(decoding: bytes[runStart..<offset], as: UTF8.self).unicodeScalars)
                }
                offset += 1
                if byte == UInt8(ascii: "\"") { return String(scalars) }
                scalars.append(try parseEscape())
                runStart = offset
                continue
            }
            if byte < 0x20 { throw syntaxError("control character in string (escape it)") }
            offset += 1
        }
        throw syntaxError("unterminated string")
    }

    private mutating func parseEscape() throws(ConfigError) -> Unicode.Scalar {
        guard let byte = peek() else { throw syntaxError("unterminated escape") }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try parseHex4()
            if (0xD800...0xDBFF).contains(high) {
                guard peek() == UInt8(ascii: "\\"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw syntaxError("unpaired UTF-16 surrogate in \\u escape")
                }
                offset += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw syntaxError("invalid UTF-16 surrogate pair") }
                let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                guard let scalar = Unicode.Scalar(value) else { throw syntaxError("invalid \\u escape") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw syntaxError("unpaired UTF-16 surrogate in \\u escape") }
            return scalar
        default:
            throw syntaxError("invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func parseHex4() throws(ConfigError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw syntaxError("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw syntaxError("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
            offset += 1
        }
        return value
    }

    private mutating func parseNumber() throws(ConfigError) -> ConfigNumber {
        let start = offset
        var isInteger = true
        if peek() == UInt8(ascii: "-") { offset += 1 }
        guard let first = peek(), isDigit(first) else { throw syntaxError("invalid number") }
        if first == UInt8(ascii: "0") {
            offset += 1
            if let next = peek(), isDigit(next) { throw syntaxError("numbers may not have leading zeros") }
        } else {
            skipDigits()
        }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            offset += 1
            guard let next = peek(), isDigit(next) else { throw syntaxError("expected digits after '.'") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            offset += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { offset += 1 }
            guard let next = peek(), isDigit(next) else { throw syntaxError("expected digits in exponent") }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        if isInteger { return .integer(ConfigNumber.canonicalInteger(Substring(text))) }
        guard let value = Double(text) else { throw syntaxError("invalid number \(text)") }
        return .float(value)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(ConfigError) {
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            offset + count <= bytes.count && bytes[offset..<offset + count].elementsEqual(expected)
        }
        guard matches else { throw syntaxError("invalid literal (expected \(literal))") }
        offset += count
    }

    // MARK: - Helpers

    private func peek() -> UInt8? {
        offset < bytes.count ? bytes[offset] : nil
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { offset += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { offset += 1 }
    }

    private func syntaxError(_ problem: String) -> ConfigError {
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return ConfigError(path: "", message: "invalid JSON at line \(line), column \(column): \(problem)")
    }
}
