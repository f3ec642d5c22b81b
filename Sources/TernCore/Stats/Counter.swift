/// A monotonically increasing stat. Workers add on their own slot without locks.
public final class Counter: Sendable {
    public let name: StatName
    @usableFromInline let slots: StatSlots

    init(name: StatName, workers: Int) {
        self.name = name
        self.slots = StatSlots(workers: workers)
    }

    /// Adds `delta` from worker `worker` (the event loop's index). Hot path.
    // Always inlined: as a call, each increment also paid a retain and a release of the counter.
    @inlinable @inline(__always)
    public func inc(worker: Int, by delta: UInt64 = 1) {
        slots.add(delta, worker: worker)
    }

    /// Adds from a non-worker thread (admin, control plane, main).
    public func incShared(by delta: UInt64 = 1) {
        slots.addShared(delta)
    }

    /// The total over every worker.
    public var value: UInt64 { slots.sum() }
}

/// A stat that goes up and down (active connections, server state).
public final class Gauge: Sendable {
    public let name: StatName
    @usableFromInline let slots: StatSlots

    init(name: StatName, workers: Int) {
        self.name = name
        self.slots = StatSlots(workers: workers)
    }

    @inlinable @inline(__always)
    public func inc(worker: Int) { slots.add(1, worker: worker) }

    @inlinable @inline(__always)
    public func dec(worker: Int) { slots.add(UInt64.max, worker: worker) }

    /// Sets the value from a non-worker thread; only for gauges that workers never touch.
    public func set(_ value: Int64) { slots.setShared(UInt64(bitPattern: value)) }

    public func incShared() { slots.addShared(1) }
    public func decShared() { slots.addShared(UInt64.max) }

    public var value: Int64 { Int64(bitPattern: slots.sum()) }
}
