import Foundation
import Logging

/// Process-wide logging set-up in Envoy's spirit: one level (`-l/--log-level`), per-component
/// overrides (`--component-log-level upstream:debug,http:trace`), lines on stderr.
public enum TernLogging {
    /// Maps Envoy's level names (trace, debug, info, warning/warn, error, critical, off).
    public static func level(named name: String) -> Logger.Level? {
        switch name.lowercased() {
        case "trace": .trace
        case "debug": .debug
        case "info": .info
        case "warning", "warn": .warning
        case "error": .error
        case "critical", "off": .critical
        default: nil
        }
    }

    /// Component names Tern's code uses (`TernLogging.logger(_:)` labels).
    public static let knownComponents = ["access_log", "admin", "config", "connection", "http", "main", "upstream"]

    /// The process's run-time levels (admin `/logging` changes them). Set by `bootstrap`.
    public nonisolated(unsafe) private(set) static var levels = LogLevels(defaultLevel: .info)

    /// Bootstraps swift-log once. Components are logger labels (`tern.upstream` → `upstream`).
    public static func bootstrap(level: Logger.Level, components: [String: Logger.Level]) {
        let registry = LogLevels(defaultLevel: level, overrides: components)
        // The components Tern logs under, listed by `/logging` before any of them logged.
        for name in knownComponents { _ = registry.component(name) }
        levels = registry
        LoggingSystem.bootstrap { label in
            let component = label.hasPrefix("tern.") ? String(label.dropFirst(5)) : label
            return TernLogHandler(label: label, level: registry.component(component))
        }
    }

    /// A logger for one component.
    public static func logger(_ component: String) -> Logger {
        Logger(label: "tern.\(component)")
    }
}

/// `[2026-11-27 02:11:01.123][pid][info][component] message` on stderr, unbuffered.
struct TernLogHandler: LogHandler {
    let label: String
    /// The component's shared level: admin `/logging` changes it for every logger at once.
    let level: LogLevels.Component
    var metadata: Logger.Metadata = [:]
    private static let pid = getpid()

    init(label: String, level: LogLevels.Component) {
        self.label = label
        self.level = level
    }

    var logLevel: Logger.Level {
        get { level.level }
        set { level.set(newValue) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let component = label.hasPrefix("tern.") ? String(label.dropFirst(5)) : label
        var line = "[\(Self.timestamp())][\(Self.pid)][\(event.level)][\(component)] \(event.message)"
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        if !all.isEmpty {
            line += " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    private static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = time_t(tv.tv_sec)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%03d", tmv.tm_year + 1900, tmv.tm_mon + 1, tmv.tm_mday,
                      tmv.tm_hour, tmv.tm_min, tmv.tm_sec, Int(tv.tv_usec / 1000))
    }
}
