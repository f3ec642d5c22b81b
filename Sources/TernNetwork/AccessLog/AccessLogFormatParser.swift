#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses Envoy's substitution format strings (`[%START_TIME%] "%REQ(:METHOD)%" ...`) into
/// tokens, once at load. A command is `%NAME%`, `%NAME(arg)%` or `%NAME(arg):N%`; `%%` is a
/// literal percent sign; anything else starting with `%` is an error, as in Envoy.
enum AccessLogFormatParser {
    struct Parsed {
        var tokens: [AccessLogToken]
        /// Envoy commands accepted but printed as `-` for now, for a load-time warning.
        var unimplemented: [String]
    }

    static func parse(_ format: String) throws(AccessLogError) -> Parsed {
        let bytes = Array(format.utf8)
        var tokens: [AccessLogToken] = []
        var unimplemented: [String] = []
        var literal: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "%") else {
                literal.append(bytes[i])
                i += 1
                continue
            }
            if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "%") {
                literal.append(UInt8(ascii: "%"))
                i += 2
                continue
            }
            let start = i
            i += 1
            let nameStart = i
            while i < bytes.count, isCommandByte(bytes[i]) { i += 1 }
            let name = String(decoding: bytes[nameStart..<i], as: UTF8.self)
            var argument: String?
            if i < bytes.count, bytes[i] == UInt8(ascii: "(") {
                let argStart = i + 1
                guard let close = bytes[argStart...].firstIndex(of: UInt8(ascii: ")")) else {
                    throw AccessLogError("unterminated '(' in command at position \(start)")
                }
                argument = String(decoding: bytes[argStart..<close], as: UTF8.self)
                i = close + 1
            }
            var maxLength: Int?
            if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
                var j = i + 1
                var value = 0
                while j < bytes.count, bytes[j] >= 48, bytes[j] <= 57, value < 1 << 40 {
                    value = value * 10 + Int(bytes[j] - 48)
                    j += 1
                }
                if j > i + 1 {
                    maxLength = value
                    i = j
                }
            }
            guard !name.isEmpty, i < bytes.count, bytes[i] == UInt8(ascii: "%") else {
                throw AccessLogError("no valid command at position \(start) of format '\(format)'")
            }
            i += 1
            if !literal.isEmpty {
                tokens.append(.literal(literal))
                literal = []
            }
            let token = try command(name, argument: argument, maxLength: maxLength)
            if case .unimplemented(let n) = token, !unimplemented.contains(n) { unimplemented.append(n) }
            tokens.append(token)
        }
        if !literal.isEmpty { tokens.append(.literal(literal)) }
        return Parsed(tokens: tokens, unimplemented: unimplemented)
    }

    private static func isCommandByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            || b == UInt8(ascii: "_")
    }

    /// The token for one command.
    static func command(_ name: String, argument: String?, maxLength: Int?) throws(AccessLogError) -> AccessLogToken {
        switch name {
        case "START_TIME":
            return .startTime(argument.map { AccessLogTimeFormat(pattern: $0) } ?? .envoyDefault)
        case "REQ", "RESP", "TRAILER":
            guard let argument, !argument.isEmpty else {
                throw AccessLogError("%\(name)% needs a header name, e.g. %\(name)(x-request-id)%")
            }
            let parts = argument.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let primary = parts[0].lowercased()
            let fallback = parts.count > 1 ? parts[1].lowercased() : nil
            if primary.isEmpty || fallback?.isEmpty == true {
                throw AccessLogError("%\(name)(\(argument))%: empty header name")
            }
            switch name {
            case "REQ": return .requestHeader(primary, fallback: fallback, maxLength: maxLength)
            case "RESP": return .responseHeader(primary, fallback: fallback, maxLength: maxLength)
            default: return .responseTrailer(primary, fallback: fallback, maxLength: maxLength)
            }
        case "HOSTNAME":
            return .constant(Array(hostname.utf8))
        default:
            if let token = simple(name, argument: argument, maxLength: maxLength) { return token }
            if AccessLogToken.knownUnimplemented.contains(name) { return .unimplemented(name) }
            throw AccessLogError("unknown command %\(name)%")
        }
    }

    private static func simple(_ name: String, argument: String?, maxLength: Int?) -> AccessLogToken? {
        guard let token = AccessLogToken.simpleCommands[name] else { return nil }
        if case .string(let field, _) = token { return .string(field, maxLength: maxLength) }
        return token
    }

    /// This machine's host name, read once.
    static let hostname: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "-" }
        let bytes = name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }()
}

/// A format string that cannot be compiled or a log file that cannot be opened; the compiler
/// adds the field path.
public struct AccessLogError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
