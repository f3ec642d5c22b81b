import Logging
import Testing
import TernCore

/// Envoy's `--log-level` names map onto swift-log levels.
@Suite struct TernLoggingTests {
    @Test(arguments: [
        ("trace", Logger.Level.trace),
        ("debug", .debug),
        ("info", .info),
        ("warning", .warning),
        ("warn", .warning),
        ("error", .error),
        ("critical", .critical),
        ("off", .critical),
        ("INFO", .info),
        ("Warn", .warning),
        ("TRACE", .trace),
    ])
    func knownNames(name: String, level: Logger.Level) {
        #expect(TernLogging.level(named: name) == level)
    }

    @Test(arguments: ["", "notice", "fatal", "verbose", " info", "info ", "warnings", "err"])
    func unknownNamesAreNil(name: String) {
        #expect(TernLogging.level(named: name) == nil)
    }

    @Test func loggerLabelIsPrefixed() {
        #expect(TernLogging.logger("upstream").label == "tern.upstream")
    }
}
