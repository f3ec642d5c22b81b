import ArgumentParser
import Foundation
import Logging
import TernCore

/// Envoy's logging flags applied to swift-log: `-l`, `--component-log-level`, `--log-path`.
enum LoggingSetup {
    static func level(_ name: String) -> Logger.Level? { TernLogging.level(named: name) }

    /// Parses `upstream:debug,http:trace`.
    static func components(_ text: String) throws -> [String: Logger.Level] {
        var out: [String: Logger.Level] = [:]
        for item in text.split(separator: ",") where !item.isEmpty {
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let level = level(parts[1]) else {
                throw ValidationError("--component-log-level: '\(item)' is not <component>:<level>")
            }
            out[parts[0]] = level
        }
        return out
    }

    /// Bootstraps logging; with `--log-path` stderr itself is pointed at the file.
    static func apply(_ options: EnvoyOptions) throws {
        if let path = options.logPath {
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            guard fd >= 0 else { throw ValidationError("--log-path: cannot open \(path)") }
            dup2(fd, STDERR_FILENO)
            close(fd)
        }
        let components = try options.componentLogLevel.map(components) ?? [:]
        TernLogging.bootstrap(level: level(options.logLevel) ?? .info, components: components)
        if options.enableCoreDump {
            var limit = rlimit(rlim_cur: rlim_t.max, rlim_max: rlim_t.max)
            if setrlimit(Int32(RLIMIT_CORE.rawValue), &limit) != 0 {
                limit.rlim_cur = 0
                _ = getrlimit(Int32(RLIMIT_CORE.rawValue), &limit)
                limit.rlim_cur = limit.rlim_max
                _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &limit)
            }
        }
    }
}
