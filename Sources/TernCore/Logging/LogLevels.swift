import Logging
import NIOConcurrencyHelpers
import Synchronization

/// The run-time log levels, one per component, changed by admin `/logging` while the process
/// runs. Handlers read their component's level with one relaxed atomic load per log call, so a
/// disabled `debug` on the data path costs no lock.
public final class LogLevels: Sendable {
    /// One component's level, shared by every handler of that component.
    public final class Component: Sendable {
        public let name: String
        let raw: Synchronization.Atomic<UInt8>

        init(name: String, level: Logger.Level) {
            self.name = name
            self.raw = Synchronization.Atomic(LogLevels.code(level))
        }

        public var level: Logger.Level { LogLevels.level(raw.load(ordering: .relaxed)) }
        func set(_ level: Logger.Level) { raw.store(LogLevels.code(level), ordering: .relaxed) }
    }

    private let state: NIOLockedValueBox<(defaultLevel: Logger.Level, components: [String: Component])>

    public init(defaultLevel: Logger.Level, overrides: [String: Logger.Level] = [:]) {
        var components: [String: Component] = [:]
        for (name, level) in overrides { components[name] = Component(name: name, level: level) }
        state = NIOLockedValueBox((defaultLevel, components))
    }

    /// The shared level object of `name`, made at the default level on first use.
    public func component(_ name: String) -> Component {
        state.withLockedValue { s in
            if let c = s.components[name] { return c }
            let c = Component(name: name, level: s.defaultLevel)
            s.components[name] = c
            return c
        }
    }

    /// Every component known so far, sorted by name.
    public func all() -> [Component] {
        state.withLockedValue { $0.components.values.sorted { $0.name < $1.name } }
    }

    /// Sets every component (and the default for ones made later).
    public func setAll(_ level: Logger.Level) {
        state.withLockedValue { s in
            s.defaultLevel = level
            for c in s.components.values { c.set(level) }
        }
    }

    /// Sets one component.
    public func set(_ name: String, _ level: Logger.Level) {
        component(name).set(level)
    }

    static func code(_ level: Logger.Level) -> UInt8 {
        switch level {
        case .trace: 0
        case .debug: 1
        case .info: 2
        case .notice: 3
        case .warning: 4
        case .error: 5
        case .critical: 6
        }
    }

    static func level(_ code: UInt8) -> Logger.Level {
        switch code {
        case 0: .trace
        case 1: .debug
        case 2: .info
        case 3: .notice
        case 4: .warning
        case 5: .error
        default: .critical
        }
    }
}
