// Starting programs with posix_spawn rather than Foundation's Process, for one reason: a child
// inherits the signal mask of the thread that spawns it, and the Swift concurrency threads the tests
// run on block almost every signal. Started through Process, Envoy (and Tern) would never see the
// SIGTERM or SIGHUP a test sends. Here the child starts with an empty mask and default handlers.

import Foundation

/// How a child ended.
public struct ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// The exit code, or 128 + the signal number when a signal ended it (as a shell reports it).
    public var code: Int32
    /// The signal that ended it, if one did.
    public var signal: Int32?

    public init(code: Int32, signal: Int32? = nil) {
        self.code = code
        self.signal = signal
    }

    /// A normal exit with `code`.
    public static func exited(_ code: Int32) -> ExitStatus { ExitStatus(code: code) }

    public var description: String {
        signal.map { "killed by signal \($0)" } ?? "exit code \(code)"
    }
}

/// A child process with a clean signal state, reaped by a thread of its own.
public final class ChildProcess: Sendable {
    /// The process id.
    public let pid: Int32
    private let exit = OneShot<ExitStatus>()

    private init(pid: Int32) {
        self.pid = pid
    }

    /// Starts `executable` with `arguments`; stdin, stdout and stderr come from and go to files
    /// (stdin from /dev/null when nil). `environment` entries are added to this process's own.
    public static func spawn(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
        stdin: URL? = nil, stdout: URL, stderr: URL
    ) throws -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin?.path ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else crosses over. NIO opens and accepts sockets without close-on-exec, so a child
        // would otherwise hold copies of the test servers' connections, and a server's close would
        // send no FIN until that child exits: a client waiting for the end of a response would hang.
        guard closeFrom(&actions, 3) == 0 else { throw HarnessError("posix_spawn_file_actions_addclosefrom_np failed") }

        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw HarnessError("cannot start \(executable.path): \(String(cString: strerror(result)))")
        }
        let child = ChildProcess(pid: pid)
        child.reapInBackground()
        return child
    }

    /// The exit status, once the child has exited.
    public var exitStatus: ExitStatus? { exit.result }

    /// True until the child has exited.
    public var isRunning: Bool { exit.result == nil }

    /// Waits at most `timeout` for the child to exit; nil means it still runs.
    public func wait(timeout: Duration) async -> ExitStatus? {
        await exit.wait(timeout: timeout)
    }

    /// Sends `signal`, unless the child has already been reaped (its pid may then be reused).
    public func send(signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Blocks a dedicated thread in waitpid for this child (only this pid, so other children,
    /// Foundation's included, are left alone) and publishes the result.
    private func reapInBackground() {
        let pid = self.pid
        let exit = self.exit
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 {
                if errno != EINTR {
                    exit.finish(ExitStatus(code: -1, signal: nil))
                    return
                }
            }
            let signal = status & 0x7f
            exit.finish(signal == 0
                ? ExitStatus(code: (status >> 8) & 0xff, signal: nil)
                : ExitStatus(code: 128 + signal, signal: signal))
        }
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc module
/// does not import: looked up once by name.
private let closeFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
        fatalError("glibc without posix_spawn_file_actions_addclosefrom_np (needs 2.34 or later)")
    }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()
