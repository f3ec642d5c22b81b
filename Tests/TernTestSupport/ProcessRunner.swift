// Runs a short-lived program (curl, python, `tern validate`) to completion with a time limit.
// Output goes to files, not pipes, so a chatty program can never block on a full pipe.

import Foundation

/// What a finished program left behind.
public struct ProcessOutput: Sendable {
    /// The exit status, or 128 + signal number when a signal ended it.
    public var exitCode: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// True when the harness killed the program at its time limit.
    public var timedOut: Bool

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Starts programs and waits for them without blocking a Swift concurrency thread.
public enum ProcessRunner {
    /// Runs `executable` with `arguments` and waits at most `timeout` for it to exit, then kills it.
    public static func run(
        _ executable: URL,
        _ arguments: [String],
        stdin: [UInt8]? = nil,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(30)
    ) async throws -> ProcessOutput {
        let dir = try TemporaryDirectory(prefix: "run")
        defer { dir.remove() }
        var stdinURL: URL?
        if let stdin {
            stdinURL = dir.file("stdin")
            try Data(stdin).write(to: dir.file("stdin"))
        }
        let child = try ChildProcess.spawn(
            executable, arguments, environment: environment, stdin: stdinURL,
            stdout: dir.file("stdout"), stderr: dir.file("stderr"))
        var status = await child.wait(timeout: timeout)
        let timedOut = status == nil
        if timedOut {
            child.send(signal: SIGKILL)
            status = await child.wait(timeout: .seconds(10))
        }
        return ProcessOutput(
            exitCode: status?.code ?? 128 + SIGKILL,
            stdout: (try? [UInt8](Data(contentsOf: dir.file("stdout")))) ?? [],
            stderr: (try? [UInt8](Data(contentsOf: dir.file("stderr")))) ?? [],
            timedOut: timedOut)
    }
}
