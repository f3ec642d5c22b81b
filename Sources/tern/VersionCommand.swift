import ArgumentParser
import TernServer

/// `tern version`: prints the version, as `--version` does.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version and exit.")

    func run() {
        print(TernVersion.banner)
    }
}
