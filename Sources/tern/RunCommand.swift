import ArgumentParser
import Foundation
import TernServer

/// `tern run` (also `tern` with no subcommand): Envoy's `--mode serve|validate|init_only`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the proxy (the default subcommand).",
        discussion: """
            Signals: SIGTERM/SIGINT drain connections for up to --drain-time-s, then exit 0 (a second \
            one exits at once); SIGHUP reloads the config file. Options marked "no effect yet" are \
            accepted for Envoy compatibility; see docs/cli.md.
            """)

    @OptionGroup var envoy: EnvoyOptions

    func run() async throws {
        if envoy.version {
            print(TernVersion.banner)
            return
        }
        try LoggingSetup.apply(envoy)
        guard envoy.configPath != nil || envoy.configYAML != nil else {
            throw ValidationError("no configuration given: use -c <path> or --config-yaml")
        }
        if envoy.mode == .validate {
            throw ExitCode(ConfigValidation.run(envoy))
        }
        let server = Server(options: envoy.serverOptions)
        let signals = SignalHandlers(server: server)
        signals.install()
        do {
            try await server.start()
        } catch {
            ConfigValidation.report(error, envoy: envoy)
            throw ExitCode(1)
        }
        if envoy.mode == .initOnly {
            await server.shutdown(graceful: false)
            return
        }
        let code = await server.waitForExit()
        withExtendedLifetime(signals) {}
        if code != 0 { throw ExitCode(code) }
    }
}
