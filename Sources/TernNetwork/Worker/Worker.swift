import NIOCore
import TernCore
import TernUpstream

/// The data path's state for one event loop: its index (the stat slot it writes), its loop, and
/// its view of every cluster. A downstream connection and everything it opens stay on one worker,
/// so nothing here is shared or locked.
public final class Worker {
    public let index: Int
    public let eventLoop: any EventLoop
    public let clusters: WorkerClusterManager
    /// Timeouts of this worker's streams and connections, grouped by duration.
    public let timers: TimerLists
    /// The time as this worker's current callback first read it (see `LoopClock`).
    public let clock: LoopClock
    /// Flushes the connections written to in a tick together at its end.
    public let flusher: TickFlusher
    /// The process's `/healthcheck/fail` switch; while set, connections close after each response.
    public let healthCheck: HealthCheckFlag
    /// Per-worker extension state (access-log buffers, rate-limit buckets), keyed by the extension.
    private var extensionState: [ObjectIdentifier: AnyObject] = [:]

    public init(index: Int, eventLoop: any EventLoop, healthCheck: HealthCheckFlag = HealthCheckFlag()) {
        self.healthCheck = healthCheck
        self.index = index
        self.eventLoop = eventLoop
        self.clusters = WorkerClusterManager(worker: index, eventLoop: eventLoop)
        let clock = LoopClock()
        self.clock = clock
        self.timers = TimerLists(eventLoop: eventLoop, clock: clock)
        self.flusher = TickFlusher(eventLoop: eventLoop)
    }

    /// State of type `T` for this worker, made on first use.
    public func state<T: AnyObject>(_ type: T.Type, make: () -> T) -> T {
        if let s = extensionState[ObjectIdentifier(type)] as? T { return s }
        let s = make()
        extensionState[ObjectIdentifier(type)] = s
        return s
    }
}
