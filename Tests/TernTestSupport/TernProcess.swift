// The proxy under test as a real child process: `tern run` (or Envoy, the reference) with a YAML
// bootstrap written to a temp folder, an admin listener on port 0 announced through
// `--admin-address-path`, and its stdout/stderr kept in files that are printed when a test fails.

import Foundation
import Synchronization

/// A running Tern (or Envoy) process.
public final class TernProcess: Sendable {
    /// Which binary this is.
    public let kind: ProxyKind
    /// The folder holding the config, the admin address file and the logs.
    public let directory: TemporaryDirectory
    /// The bootstrap file the process was started with (tests may rewrite it before a reload).
    public let configPath: URL
    /// The admin listener's port.
    public let adminPort: Int
    /// The child process.
    public let child: ChildProcess

    private let stopped = Mutex(false)
    private let logsShown = Mutex(false)

    private init(kind: ProxyKind, directory: TemporaryDirectory, configPath: URL, adminPort: Int,
                 child: ChildProcess) {
        self.kind = kind
        self.directory = directory
        self.configPath = configPath
        self.adminPort = adminPort
        self.child = child
    }

    /// The process id.
    public var pid: Int32 { child.pid }

    // MARK: - Starting

    /// Starts the proxy with `config` (a YAML bootstrap) and waits until `/ready` answers 200.
    ///
    /// Waits for a free slot first (see `ProxySlots`); `stop()` gives it back.
    public static func start(
        config: String,
        kind: ProxyKind = TestEnvironment.proxyUnderTest,
        concurrency: Int = 1,
        logLevel: String = "info",
        extraArguments: [String] = [],
        readyTimeout: Duration = .seconds(30)
    ) async throws -> TernProcess {
        await ProxySlots.shared.acquire()
        do {
            return try await launch(config: config, kind: kind, concurrency: concurrency, logLevel: logLevel,
                                    extraArguments: extraArguments, readyTimeout: readyTimeout)
        } catch {
            await ProxySlots.shared.release()
            throw error
        }
    }

    private static func launch(
        config: String, kind: ProxyKind, concurrency: Int, logLevel: String,
        extraArguments: [String], readyTimeout: Duration
    ) async throws -> TernProcess {
        let directory = try TemporaryDirectory(prefix: kind.rawValue)
        let configPath = try directory.write("bootstrap.yaml", config)
        let addressFile = directory.file("admin-address")
        let common = ["-c", configPath.path, "--concurrency", String(concurrency),
                      "--admin-address-path", addressFile.path, "-l", logLevel]
        let executable: URL
        var arguments: [String]
        switch kind {
        case .tern:
            executable = try TestEnvironment.ternBinary()
            arguments = ["run"] + common + extraArguments
        case .envoy:
            executable = try Peer.envoy.require()
            // Several Envoys run at once in the suite: no shared-memory hot-restart region.
            arguments = common + ["--disable-hot-restart"] + extraArguments
        }
        let child = try ChildProcess.spawn(
            executable, arguments, stdout: directory.file("stdout.log"), stderr: directory.file("stderr.log"))
        LiveProcesses.shared.add(child.pid)

        let started = ContinuousClock.now
        while ContinuousClock.now - started < readyTimeout && !Task.isCancelled {
            if let status = child.exitStatus {
                LiveProcesses.shared.remove(child.pid)
                throw HarnessError("\(kind) stopped (\(status)) before it was ready: \(executable.path) "
                                   + "\(arguments.joined(separator: " "))\n\(logTail(directory))")
            }
            if let port = readAdminPort(addressFile), await isReady(adminPort: port) {
                return TernProcess(kind: kind, directory: directory, configPath: configPath,
                                   adminPort: port, child: child)
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        // Not ready in time, or the test was cancelled (its time limit): never leave it running.
        child.send(signal: SIGKILL)
        _ = await child.wait(timeout: .seconds(5))
        LiveProcesses.shared.remove(child.pid)
        try Task.checkCancellation()
        throw HarnessError("\(kind) was not ready within \(readyTimeout)\n\(logTail(directory))")
    }

    /// The port in the admin address file (`127.0.0.1:PORT`), once the process has written it.
    private static func readAdminPort(_ file: URL) -> Int? {
        guard let text = try? String(contentsOf: file, encoding: .utf8),
              let portText = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").last
        else { return nil }
        return Int(portText)
    }

    private static func isReady(adminPort: Int) async -> Bool {
        (try? await AdminClient(port: adminPort).get("/ready", timeout: .seconds(2)).status) == 200
    }

    // MARK: - Signals and exit

    /// Sends `signal` (e.g. SIGHUP, SIGTERM) to the process.
    public func send(signal: Int32) {
        child.send(signal: signal)
    }

    /// Waits (bounded) for the process to exit; nil if it still runs at the deadline.
    public func waitForExit(timeout: Duration = .seconds(15)) async -> ExitStatus? {
        let status = await child.wait(timeout: timeout)
        if status != nil { LiveProcesses.shared.remove(pid) }
        return status
    }

    /// True while the process runs.
    public var isRunning: Bool { child.isRunning }

    /// Ends the process (SIGTERM, then SIGKILL after 5 s) and frees its slot. Safe to call twice.
    public func stop() async {
        let first = stopped.withLock { wasStopped in
            defer { wasStopped = true }
            return !wasStopped
        }
        guard first else { return }
        if isRunning {
            child.send(signal: SIGTERM)
            if await child.wait(timeout: .seconds(5)) == nil {
                child.send(signal: SIGKILL)
                _ = await child.wait(timeout: .seconds(5))
            }
        }
        LiveProcesses.shared.remove(pid)
        await ProxySlots.shared.release()
    }

    // MARK: - Config and logs

    /// Replaces the bootstrap file's contents (atomically, by rename), e.g. before a SIGHUP.
    public func replaceConfig(_ yaml: String) throws {
        try Data(yaml.utf8).write(to: configPath, options: .atomic)
    }

    /// True the first time it is called: the first issue gets the logs, later ones need not repeat them.
    func claimLogsForIssue() -> Bool {
        logsShown.withLock { shown in
            defer { shown = true }
            return !shown
        }
    }

    /// The last lines of the process's stdout and stderr.
    public func logTail(lines: Int = 80) -> String {
        Self.logTail(directory, lines: lines)
    }

    /// The whole of stderr and stdout so far.
    public func logs() -> String {
        ["stderr.log", "stdout.log"].map {
            (try? String(contentsOf: directory.file($0), encoding: .utf8)) ?? ""
        }.joined(separator: "\n")
    }

    static func logTail(_ directory: TemporaryDirectory, lines: Int = 80) -> String {
        ["stdout.log", "stderr.log"].map { name in
            let text = (try? String(contentsOf: directory.file(name), encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
            return "--- \(name) (last \(tail.count) lines) ---\n" + tail.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
