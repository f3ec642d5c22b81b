import Foundation
import SwiftProtobuf
import TernConfig

/// Compiles `access_log` lists (tcp_proxy, the HTTP connection manager, the admin) into
/// loggers. Formats are parsed here, once; files are opened here, so a path that cannot be
/// opened fails the config as in Envoy.
package enum AccessLogCompiler {
    typealias FileConfig = Envoy_Extensions_AccessLoggers_File_V3_FileAccessLog
    typealias StdoutConfig = Envoy_Extensions_AccessLoggers_Stream_V3_StdoutAccessLog
    typealias StderrConfig = Envoy_Extensions_AccessLoggers_Stream_V3_StderrAccessLog

    /// The `typed_config` types an access log may hold, for the `Any` type registry.
    package static let configTypes: [any SwiftProtobuf.Message.Type] = [FileConfig.self, StdoutConfig.self, StderrConfig.self]

    /// One logger per entry, in order. `path` names the list (`…tcp_proxy.access_log`).
    package static func compile(_ logs: [Envoy_Config_Accesslog_V3_AccessLog], path: String,
                                context: CompileContext) throws -> [any AccessLogger] {
        var loggers: [any AccessLogger] = []
        for (index, log) in logs.enumerated() {
            let entryPath = "\(path)[\(index)]"
            if log.hasFilter {
                context.warn("\(entryPath).filter", "not implemented by Tern yet; ignored")
            }
            guard case .typedConfig(let any)? = log.configType else {
                throw CompileError("\(entryPath).typed_config", "required")
            }
            loggers.append(try compile(any, path: "\(entryPath).typed_config", context: context))
        }
        return loggers
    }

    private static func compile(_ any: Google_Protobuf_Any, path: String, context: CompileContext) throws -> any AccessLogger {
        let typeName = any.typeURL.split(separator: "/").last.map(String.init) ?? any.typeURL
        do {
            switch typeName {
            case FileConfig.protoMessageName:
                let config = try FileConfig(unpackingAny: any)
                guard !config.path.isEmpty else { throw CompileError("\(path).path", "required") }
                let sink: AccessLogSink
                do { sink = try AccessLogSink.file(path: config.path) } catch {
                    throw CompileError("\(path).path", "\(error)")
                }
                return FileAccessLogger(format: try fileFormat(config, path: path, context: context), sink: sink)
            case StdoutConfig.protoMessageName:
                let config = try StdoutConfig(unpackingAny: any)
                let format = try substitutionFormat(config.accessLogFormat.map { _ in config.logFormat },
                                                    path: "\(path).log_format", context: context)
                return FileAccessLogger(format: format, sink: .standardOutput)
            case StderrConfig.protoMessageName:
                let config = try StderrConfig(unpackingAny: any)
                let format = try substitutionFormat(config.accessLogFormat.map { _ in config.logFormat },
                                                    path: "\(path).log_format", context: context)
                return FileAccessLogger(format: format, sink: .standardError)
            default:
                throw CompileError(path, "unknown access logger type '\(any.typeURL)'")
            }
        } catch let error as CompileError {
            throw error
        } catch {
            throw CompileError(path, "\(error)")
        }
    }

    private static func fileFormat(_ config: FileConfig, path: String, context: CompileContext) throws -> AccessLogFormat {
        switch config.accessLogFormat {
        case .none:
            return .envoyDefault
        case .format(let text):
            return try text.isEmpty ? .envoyDefault : textFormat(text, omitEmpty: false, path: "\(path).format", context: context)
        case .jsonFormat(let json):
            return try jsonFormat(json, omitEmpty: false, path: "\(path).json_format", context: context)
        case .typedJsonFormat(let json):
            return try jsonFormat(json, omitEmpty: false, path: "\(path).typed_json_format", context: context)
        case .logFormat(let format):
            return try substitutionFormat(format, path: "\(path).log_format", context: context)
        }
    }

    /// Compiles a `SubstitutionFormatString`; nil means Envoy's default format.
    package static func substitutionFormat(_ format: Envoy_Config_Core_V3_SubstitutionFormatString?, path: String,
                                           context: CompileContext) throws -> AccessLogFormat {
        guard let format else { return .envoyDefault }
        let omit = format.omitEmptyValues
        switch format.format {
        case .none:
            return .envoyDefault
        case .textFormat(let text):
            return try textFormat(text, omitEmpty: omit, path: "\(path).text_format", context: context)
        case .jsonFormat(let json):
            return try jsonFormat(json, omitEmpty: omit, path: "\(path).json_format", context: context)
        case .textFormatSource(let source):
            let sourcePath = "\(path).text_format_source"
            return try textFormat(try read(source, path: sourcePath), omitEmpty: omit, path: sourcePath, context: context)
        }
    }

    private static func textFormat(_ text: String, omitEmpty: Bool, path: String, context: CompileContext) throws -> AccessLogFormat {
        let format: AccessLogFormat
        do { format = try AccessLogFormat(text: text, omitEmptyValues: omitEmpty) } catch {
            throw CompileError(path, error.message)
        }
        warnUnimplemented(format, path: path, context: context)
        return format
    }

    private static func jsonFormat(_ json: Google_Protobuf_Struct, omitEmpty: Bool, path: String,
                                   context: CompileContext) throws -> AccessLogFormat {
        var unimplemented: [String] = []
        let node: AccessLogJSONNode
        do { node = try AccessLogJSONNode.compile(json, unimplemented: &unimplemented) } catch {
            throw CompileError(path, error.message)
        }
        let format = AccessLogFormat(json: node, omitEmptyValues: omitEmpty, unimplementedCommands: unimplemented)
        warnUnimplemented(format, path: path, context: context)
        return format
    }

    private static func warnUnimplemented(_ format: AccessLogFormat, path: String, context: CompileContext) {
        for name in format.unimplementedCommands {
            context.warn(path, "%\(name)% is not implemented by Tern yet; it prints '-'")
        }
    }

    private static func read(_ source: Envoy_Config_Core_V3_DataSource, path: String) throws -> String {
        switch source.specifier {
        case .inlineString(let text): return text
        case .inlineBytes(let data): return String(decoding: data, as: UTF8.self)
        case .filename(let file):
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CompileError("\(path).filename", "cannot read '\(file)'")
            }
            return String(decoding: data, as: UTF8.self)
        case .environmentVariable(let name):
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw CompileError("\(path).environment_variable", "'\(name)' is not set")
            }
            return value
        case .none:
            throw CompileError(path, "one of filename, inline_string, inline_bytes or environment_variable is required")
        }
    }
}
