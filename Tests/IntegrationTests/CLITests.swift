// The command line: `tern validate` (Envoy's `--mode validate`) exit codes and messages that name
// the offending field by its path, a bad config failing `run` at once, and SIGTERM exiting cleanly.

import Foundation
import Testing
import TernTestSupport

@Suite("Command line", .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct CLITests {
    struct ConfigCase: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        /// Strings the error output must contain (the field path, the offending name).
        var mentions: [String]
        var testDescription: String { name }
    }

    static let good = EnvoyConfig.httpProxy(to: 8080)

    static let invalid: [ConfigCase] = [
        ConfigCase(name: "unknown field in a cluster",
                   yaml: good.inserting("bogus_field: 1", after: "type: STATIC"),
                   mentions: ["clusters[0]", "bogus_field"]),
        ConfigCase(name: "wrong value type",
                   yaml: good.replacingOccurrences(of: "connect_timeout: 1s", with: "connect_timeout: banana"),
                   mentions: ["connect_timeout"]),
        ConfigCase(name: "unknown field inside a typed_config",
                   yaml: good.inserting("bogus_hcm_field: true", after: "stat_prefix: ingress"),
                   mentions: ["bogus_hcm_field"]),
        ConfigCase(name: "route to a cluster that does not exist",
                   yaml: good.replacingOccurrences(of: "cluster: svc", with: "cluster: nope"),
                   mentions: ["nope"]),
        ConfigCase(name: "not YAML at all", yaml: "static_resources: [unclosed\n", mentions: []),
    ]

    /// Validates `file` with the proxy under test: `tern validate -c` or `envoy --mode validate -c`.
    static func validate(_ file: URL) async throws -> ProcessOutput {
        switch TestEnvironment.proxyUnderTest {
        case .tern:
            return try await ProcessRunner.run(try TestEnvironment.ternBinary(), ["validate", "-c", file.path])
        case .envoy:
            return try await ProcessRunner.run(
                try Peer.envoy.require(), ["--mode", "validate", "-c", file.path, "--disable-hot-restart"])
        }
    }

    @Test("a valid bootstrap validates with exit code 0")
    func validConfig() async throws {
        let dir = try TemporaryDirectory(prefix: "validate")
        defer { dir.remove() }
        let output = try await Self.validate(try dir.write("good.yaml", Self.good))
        #expect(output.exitCode == 0, "\(output.stdoutText)\(output.stderrText)")
    }

    @Test("an invalid bootstrap fails validation with exit code 1 and names the field", arguments: invalid)
    func invalidConfig(_ config: ConfigCase) async throws {
        let dir = try TemporaryDirectory(prefix: "validate")
        defer { dir.remove() }
        let output = try await Self.validate(try dir.write("bad.yaml", config.yaml))
        let text = output.stdoutText + output.stderrText
        #expect(output.exitCode == 1, "\(text)")
        for mention in config.mentions {
            #expect(text.contains(mention), "the message should mention \(mention): \(text.suffix(800))")
        }
    }

    @Test("a missing config file fails validation and names the path")
    func missingFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tern-no-such-\(UUID()).yaml")
        let output = try await Self.validate(path)
        #expect(output.exitCode == 1)
        #expect((output.stdoutText + output.stderrText).contains(path.lastPathComponent))
    }

    @Test("every bootstrap in examples/ validates")
    func examplesValidate() async throws {
        let examples = TestEnvironment.packageRoot.appendingPathComponent("examples")
        let files = try FileManager.default.contentsOfDirectory(at: examples, includingPropertiesForKeys: nil)
            .filter { ["yaml", "yml", "json"].contains($0.pathExtension) }
        #expect(!files.isEmpty, "no examples found in \(examples.path)")
        for file in files {
            let output = try await Self.validate(file)
            #expect(output.exitCode == 0, "\(file.lastPathComponent): \(output.stdoutText)\(output.stderrText)")
        }
    }

    @Test("run with an invalid bootstrap exits non-zero instead of serving")
    func runRefusesInvalidConfig() async throws {
        let invalid = try #require(Self.invalid.first)
        await #expect(throws: HarnessError.self) {
            try await TernProcess.with(config: invalid.yaml) { _ in }
        }
    }

    @Test("SIGTERM exits 0 and closes the listeners", .requires(.curl))
    func sigtermExitsCleanly() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.get(port: port, "/").status == 200)
            proxy.send(signal: SIGTERM)
            let exit = await proxy.waitForExit(timeout: .seconds(15))
            #expect(exit == .exited(0), "exit: \(String(describing: exit))")
            await #expect(throws: (any Error).self, "nothing listens any more") {
                try await RawConnection.connect(port: port).close()
            }
        }
        await upstream.stop()
    }

    @Test("version and help answer with exit code 0", .ternOnly)
    func versionAndHelp() async throws {
        let tern = try TestEnvironment.ternBinary()
        let version = try await ProcessRunner.run(tern, ["version"])
        #expect(version.exitCode == 0)
        #expect(!version.stdoutText.isEmpty)
        let help = try await ProcessRunner.run(tern, ["--help"])
        #expect(help.exitCode == 0)
        #expect(help.stdoutText.contains("run") && help.stdoutText.contains("validate"), "\(help.stdoutText)")
    }
}

extension String {
    /// This YAML with `line` added after the first line containing `marker`, indented alike.
    func inserting(_ line: String, after marker: String) -> String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let index = lines.firstIndex(where: { $0.contains(marker) }) else { return self }
        let indentation = lines[index].prefix { $0 == " " }
        lines.insert(indentation + line, at: index + 1)
        return lines.joined(separator: "\n")
    }
}
