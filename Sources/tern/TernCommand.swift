import ArgumentParser
import TernServer

/// `tern`: the root command. Without a subcommand it runs the proxy, so `tern -c bootstrap.yaml`
/// works where `envoy -c bootstrap.yaml` does (pilot-agent starts the binary that way).
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
struct TernCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tern",
        abstract: "A service-mesh proxy that speaks Envoy's v3 API.",
        discussion: "Envoy's command line works unchanged: `tern -c bootstrap.yaml` is `tern run -c bootstrap.yaml`.",
        version: TernVersion.banner,
        subcommands: [RunCommand.self, ValidateCommand.self, VersionCommand.self],
        defaultSubcommand: RunCommand.self)

    /// Parses the command line and runs the chosen command, awaiting async ones. (Called from
    /// main.swift; overload resolution there picks ArgumentParser's synchronous `main()`.)
    static func runMain() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

extension TernVersion {
    /// What `--version` prints, shaped like Envoy's.
    static var banner: String { "tern version: \(envoyStyle)" }
}
