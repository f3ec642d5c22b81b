import NIOConcurrencyHelpers
import NIOCore

/// Process-wide access-log flushing: the flush interval (Envoy's `--file-flush-interval-msec`,
/// 10 s by default), the size at which a worker's buffer is flushed at once (64 KiB, as Envoy),
/// and `flushAll(in:)` for shutdown. Workers' buffers register here when they are made.
public enum AccessLogFlusher {
    /// Bytes in one worker's buffer for one sink that trigger an immediate flush.
    public static let flushThreshold = 64 * 1024

    private struct State {
        var interval: TimeAmount = .milliseconds(10_000)
        var workers: [AccessLogWorkerBuffersReference] = []
    }

    private static let state = NIOLockedValueBox(State())

    /// How often each worker hands its buffered lines to the writers. Set it from
    /// `--file-flush-interval-msec` before the workers log their first line; a worker's timer
    /// keeps the interval it started with.
    public static var flushInterval: TimeAmount {
        get { state.withLockedValue { $0.interval } }
        set {
            let value = newValue > .zero ? newValue : .milliseconds(10_000)
            state.withLockedValue { $0.interval = value }
        }
    }

    /// Hands the buffered lines of every worker on `group`'s loops to the writers and waits
    /// until every sink has written what it was given. The server calls this at shutdown while
    /// the loops still run: a task posted to a loop that has already shut down would never run.
    public static func flushAll(in group: any EventLoopGroup) async {
        await flushAll(eventLoops: Array(group.makeIterator()))
    }

    /// `flushAll(in:)` for an explicit list of running loops.
    public static func flushAll(eventLoops: [any EventLoop]) async {
        for loop in eventLoops {
            let done = loop.submit {
                let references = state.withLockedValue { $0.workers.filter { $0.eventLoop === loop } }
                for reference in references { reference.buffers?.flushAll() }
            }
            _ = try? await done.get()
        }
        for sink in AccessLogSink.all {
            await sink.drain()
        }
    }

    static func register(_ reference: AccessLogWorkerBuffersReference) {
        state.withLockedValue { $0.workers.append(reference) }
    }

    static func unregister(_ reference: AccessLogWorkerBuffersReference) {
        state.withLockedValue { $0.workers.removeAll { $0 === reference } }
    }
}
