#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore
import TernCore

/// Where access-log bytes end up: one file descriptor and the serial queue that writes to it,
/// so an event loop never blocks on disk. There is one sink per path for the whole process
/// (as Envoy's access-log manager keeps one file per path): every logger and every reload
/// naming the same path shares it, and `/dev/stdout` / `/dev/stderr` are the stream sinks.
/// Each sink has a small dense `id` that per-worker buffers index by.
public final class AccessLogSink: Sendable {
    /// Dense index of this sink, for per-worker buffer arrays.
    let id: Int
    /// The path, or `/dev/stdout` / `/dev/stderr`.
    public let name: String
    private let descriptor: CInt
    private let queue: DispatchQueue
    private let failed = NIOLockedValueBox(false)

    private init(id: Int, name: String, descriptor: CInt) {
        self.id = id
        self.name = name
        self.descriptor = descriptor
        self.queue = DispatchQueue(label: "tern.access_log.\(id)")
    }

    /// Hands `bytes` to the writer queue. Called on an event loop; never blocks.
    func write(_ bytes: ByteBuffer) {
        queue.async { [self] in writeNow(bytes) }
    }

    /// Completes once everything handed over before the call has been written.
    func drain() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async { done.resume() }
        }
    }

    private func writeNow(_ bytes: ByteBuffer) {
        bytes.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let n = Self.systemWrite(descriptor, base + offset, raw.count - offset)
                if n >= 0 {
                    offset += n
                    continue
                }
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    // A non-blocking stdout pipe: wait for room rather than spin.
                    var fd = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&fd, 1, 100)
                    continue
                }
                reportFailure(code)
                return
            }
        }
    }

    private static func systemWrite(_ fd: CInt, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, pointer, count)
        #elseif canImport(Musl)
        Musl.write(fd, pointer, count)
        #else
        Darwin.write(fd, pointer, count)
        #endif
    }

    /// Logs a write error once per sink; later lines are dropped silently until one succeeds.
    private func reportFailure(_ code: CInt) {
        let first = failed.withLockedValue { f -> Bool in
            defer { f = true }
            return !f
        }
        if first {
            TernLogging.logger("access_log").error("cannot write access log \(name): \(String(cString: strerror(code)))")
        }
    }

    // MARK: - the process-wide set of sinks

    private struct Registry {
        var byName: [String: AccessLogSink] = [:]
        var all: [AccessLogSink] = []
    }

    private static let registry = NIOLockedValueBox(Registry())

    /// The sink for standard output (`envoy.access_loggers.stdout`, or the path `/dev/stdout`).
    public static var standardOutput: AccessLogSink { named("/dev/stdout", descriptor: 1) }
    /// The sink for standard error (`envoy.access_loggers.stderr`, or the path `/dev/stderr`).
    public static var standardError: AccessLogSink { named("/dev/stderr", descriptor: 2) }

    /// The sink for a file path, opened for appending (created 0644) the first time it is named.
    /// Throws a readable reason when the file cannot be opened.
    public static func file(path: String) throws -> AccessLogSink {
        if path == "/dev/stdout" { return standardOutput }
        if path == "/dev/stderr" { return standardError }
        return try registry.withLockedValue { r in
            if let existing = r.byName[path] { return existing }
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw AccessLogError("cannot open '\(path)': \(String(cString: strerror(errno)))")
            }
            let sink = AccessLogSink(id: r.all.count, name: path, descriptor: fd)
            r.byName[path] = sink
            r.all.append(sink)
            return sink
        }
    }

    private static func named(_ name: String, descriptor: CInt) -> AccessLogSink {
        registry.withLockedValue { r in
            if let existing = r.byName[name] { return existing }
            let sink = AccessLogSink(id: r.all.count, name: name, descriptor: descriptor)
            r.byName[name] = sink
            r.all.append(sink)
            return sink
        }
    }

    /// Every sink made so far (for `AccessLogFlusher.flushAll(in:)`).
    static var all: [AccessLogSink] { registry.withLockedValue { $0.all } }
}
