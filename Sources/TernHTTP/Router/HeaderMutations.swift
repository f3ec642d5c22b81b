import NIOHTTP1
import TernConfig
import TernNetwork

/// Compiled `*_headers_to_add` / `*_headers_to_remove` of one level (route, virtual host, route
/// configuration or weighted cluster). Applied in Envoy's order: removals, then additions.
public struct HeaderMutations: Sendable {
    enum Action: Sendable {
        case append, addIfAbsent, overwriteOrAdd, overwriteIfExists
    }

    struct Addition: Sendable {
        let name: String
        let value: String
        /// Set when the value holds `%COMMAND%` substitutions (Envoy's header formatter).
        let format: AccessLogFormat?
        let action: Action
        let keepEmpty: Bool
    }

    let additions: [Addition]
    let removals: [String]

    public var isEmpty: Bool { additions.isEmpty && removals.isEmpty }

    public static let none = HeaderMutations(additions: [], removals: [])

    init(additions: [Addition], removals: [String]) {
        self.additions = additions
        self.removals = removals
    }

    package init(add: [Envoy_Config_Core_V3_HeaderValueOption], remove: [String], path: String, context: CompileContext) throws {
        var adds: [Addition] = []
        for (i, option) in add.enumerated() {
            let p = "\(path)[\(i)]"
            let name = option.header.key.lowercased()
            guard !name.isEmpty else { throw CompileError(p + ".header.key", "header name must not be empty") }
            if name.hasPrefix(":") || name == "host" {
                throw CompileError(p + ".header.key", "':'-prefixed or host headers may not be modified")
            }
            let value = option.header.rawValue.isEmpty ? option.header.value : String(decoding: option.header.rawValue, as: UTF8.self)
            // Headers are serialized as they are: no byte may end a header line early.
            if name.utf8.contains(where: { $0 <= 0x20 || $0 == 0x3A || $0 >= 0x7F }) {
                throw CompileError(p + ".header.key", "'\(name)' is not a valid header name")
            }
            if value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) {
                throw CompileError(p + ".header.value", "header values may not contain CR, LF or NUL")
            }
            var action: Action
            switch option.appendAction {
            case .addIfAbsent: action = .addIfAbsent
            case .overwriteIfExistsOrAdd: action = .overwriteOrAdd
            case .overwriteIfExists: action = .overwriteIfExists
            default: action = .append
            }
            // The deprecated `append` BoolValue wins when set, as in Envoy.
            if option.hasAppend { action = option.append.value ? .append : .overwriteOrAdd }
            var format: AccessLogFormat?
            if value.contains("%") {
                do {
                    // Missing values become empty, as Envoy's header formatter does.
                    format = try AccessLogFormat(text: value, omitEmptyValues: true)
                } catch {
                    throw CompileError(p + ".header.value", "\(error)")
                }
                for command in format?.unimplementedCommands ?? [] {
                    context.warn(p + ".header.value", "%\(command)% is not implemented by Tern yet; it expands to nothing")
                }
            }
            adds.append(Addition(name: name, value: value, format: format, action: action, keepEmpty: option.keepEmptyValue))
        }
        additions = adds
        removals = remove.map { $0.lowercased() }
    }

    /// Applies to `headers` in place; `%COMMAND%` values are expanded against `stream`.
    public func apply(to headers: inout HTTPHeaders, stream: (any AccessLogRecord)? = nil) {
        for name in removals { headers.remove(name: name) }
        for a in additions {
            var value = a.value
            if let format = a.format, let stream { value = format.format(stream) }
            if value.isEmpty && !a.keepEmpty { continue }
            switch a.action {
            case .append: headers.add(name: a.name, value: value)
            case .addIfAbsent: if !headers.contains(name: a.name) { headers.add(name: a.name, value: value) }
            case .overwriteOrAdd: headers.replaceOrAdd(name: a.name, value: value)
            case .overwriteIfExists: if headers.contains(name: a.name) { headers.replaceOrAdd(name: a.name, value: value) }
            }
        }
    }
}
