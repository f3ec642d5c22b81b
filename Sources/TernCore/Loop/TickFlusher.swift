import NIOCore

/// A connection with writes that wait for the end of the event loop's tick.
public protocol TickFlushable: AnyObject {
    /// The tick is over: flush what the connection wrote in it, if it is still open.
    func tickEnded()
}

/// Flushes the connections written to in one event-loop tick together, once the loop has
/// handled every socket that was ready, as Envoy's deferred write events do.
///
/// A write to a loopback or local peer asleep in `epoll_wait` pays for waking it (an IPI, on a
/// VM a VM exit) inside the write. Flushing each response as it is made spreads the writes of
/// a tick over the tick, so the peer wakes, handles one, sleeps and is woken again; flushed
/// together, it wakes once for all of them. The same number of writes then costs less kernel
/// time on both sides, with no added latency: the flush still happens in the tick that wrote.
///
/// Loop-confined: `Sendable` only so that channel initializers, which run on the worker's
/// loop, can carry it.
public final class TickFlusher: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private var pending: [any TickFlushable] = []
    /// The list being flushed; kept to reuse its storage.
    private var flushing: [any TickFlushable] = []
    private var scheduled = false

    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// `connection` is flushed at the end of this tick. A connection should enter once per
    /// tick (it keeps a flag); entering twice flushes it twice, which is harmless.
    public func flushAtTickEnd(_ connection: any TickFlushable) {
        pending.append(connection)
        guard !scheduled else { return }
        scheduled = true
        // A task queued from the loop itself runs after this tick's I/O, without waking epoll.
        eventLoop.assumeIsolatedUnsafeUnchecked().execute { [self] in run() }
    }

    private func run() {
        scheduled = false
        // A flush may write elsewhere (a failed write closing a stream): that lands in `pending`
        // and the next task.
        swap(&pending, &flushing)
        for connection in flushing { connection.tickEnded() }
        flushing.removeAll(keepingCapacity: true)
    }
}
