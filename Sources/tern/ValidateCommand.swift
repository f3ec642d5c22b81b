import ArgumentParser
import Foundation
import TernCore
import TernServer

/// `tern validate -c FILE`: Envoy's `--mode validate`.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a bootstrap without serving it (same as --mode validate).",
        discussion: "Prints warnings, then \"configuration '<path>' OK\" and exits 0, or the error with its field path and exits 1.")

    @OptionGroup var envoy: EnvoyOptions

    func run() throws {
        try LoggingSetup.apply(envoy)
        guard envoy.configPath != nil || envoy.configYAML != nil else {
            throw ValidationError("no configuration given: use -c <path> or --config-yaml")
        }
        let code = ConfigValidation.run(envoy)
        if code != 0 { throw ExitCode(code) }
    }
}

/// Validation and error reporting shared by `validate`, `--mode validate` and start-up failures.
enum ConfigValidation {
    static func run(_ envoy: EnvoyOptions) -> Int32 {
        let loader = SnapshotLoader(options: envoy.serverOptions)
        do {
            let snapshot = try loader.load(stats: StatsStore(workers: 1))
            for warning in snapshot.warnings {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }
            print("configuration '\(name(envoy))' OK")
            return 0
        } catch {
            report(error, envoy: envoy)
            return 1
        }
    }

    /// Envoy's wording: `error initializing configuration '<path>': <field path>: <message>`.
    static func report(_ error: any Error, envoy: EnvoyOptions) {
        FileHandle.standardError.write(Data("error initializing configuration '\(name(envoy))': \(SnapshotLoader.describe(error))\n".utf8))
    }

    private static func name(_ envoy: EnvoyOptions) -> String {
        envoy.configPath ?? "--config-yaml"
    }
}
