import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// A worker's clock, read from the system at most once per event-loop callback.
///
/// A request asks the time a dozen times (its start for logs and durations, its idle and route
/// timers, the upstream's service time, the date header): about 2.5% of the CPU an HTTP/2
/// request costs when each asks the kernel's clock. Connections bracket their reads with
/// `enter` and `leave`, and timers their firing: in between, every reader gets the time of the
/// first read, which is at most one callback's work old. Outside a bracket every read asks the
/// system, so a caller that was missed is slower, never wrong. Loop-confined: `Sendable` only
/// so that channel initializers, which run on the worker's loop, can carry it.
public final class LoopClock: @unchecked Sendable {
    @usableFromInline var depth = 0
    @usableFromInline var uptime: UInt64 = 0
    private var wall: timespec?

    public init() {}

    /// A read (or timer) callback begins: the time may be cached until the matching `leave`.
    @inline(__always)
    public func enter() { depth &+= 1 }

    /// The callback is over: the next reading asks the system again.
    @inline(__always)
    public func leave() {
        depth &-= 1
        if depth == 0 {
            uptime = 0
            wall = nil
        }
    }

    /// Monotonic nanoseconds on the same scale as `NIODeadline.now()` and `DispatchTime.now()`.
    /// Inlined (the cached reading is one load): as a call from another module it also cost
    /// a retain and a release of the clock and of the object that holds it.
    @inlinable
    public var uptimeNanoseconds: UInt64 {
        if uptime != 0 { return uptime }
        return readUptime()
    }

    @usableFromInline
    func readUptime() -> UInt64 {
        let now = DispatchTime.now().uptimeNanoseconds
        if depth > 0 { uptime = now }
        return now
    }

    /// `uptimeNanoseconds` as a deadline.
    @inlinable
    public var now: NIODeadline { .uptimeNanoseconds(uptimeNanoseconds) }

    /// The wall-clock time (CLOCK_REALTIME), for start times in logs and the date header.
    public var wallClock: timespec {
        if let wall { return wall }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        if depth > 0 { wall = ts }
        return ts
    }
}
