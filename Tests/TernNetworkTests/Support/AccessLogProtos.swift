import Foundation
import SwiftProtobuf
import TernConfig

/// Builders for access-log protos and temp files in tests.
enum AccessLogProtos {
    static func file(path: String, text: String? = nil) throws -> Envoy_Config_Accesslog_V3_AccessLog {
        var file = Envoy_Extensions_AccessLoggers_File_V3_FileAccessLog()
        file.path = path
        if let text { file.logFormat.textFormat = text }
        var log = Envoy_Config_Accesslog_V3_AccessLog()
        log.name = "envoy.access_loggers.file"
        log.typedConfig = try Google_Protobuf_Any(message: file)
        return log
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tern-access-\(UUID().uuidString).log").path
    }

    static func read(_ path: String) -> String {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
