import NIOCore

/// Something that can sit in a `TimerList`. Subclasses (streams, routers, connections) carry the
/// links themselves, so scheduling and cancelling allocate nothing, and the links are unmanaged:
/// the list takes one retain while a node is in it, and no other reference counting happens.
open class TimerListNode {
    // Unmanaged links: reading or following them never retains, where even unowned(unsafe)
    // references are retained when bound to a local.
    fileprivate var timerNext: Unmanaged<TimerListNode>?
    fileprivate var timerPrev: Unmanaged<TimerListNode>?
    fileprivate var timerList: Unmanaged<TimerList>?
    fileprivate var timerDeadline = NIODeadline.uptimeNanoseconds(0)

    public init() {}

    /// The deadline passed while the node was scheduled. Runs on the worker's loop.
    open func timerExpired() {}

    /// True while the node is scheduled.
    public final var isTimerScheduled: Bool { timerList != nil }

    /// Takes this node out of whatever timer list holds it.
    public final func cancelTimer() {
        timerList?._withUnsafeGuaranteedRef { $0.cancel(self) }
    }
}

/// Per-worker timers grouped by duration. Every node of one list has the same timeout, so the
/// list is ordered by deadline simply by appending: scheduling and cancelling are O(1) and only
/// the earliest head needs a real event-loop timer. This keeps route, idle and per-try timeouts
/// of thousands of streams off the event loop's timer heap.
/// Loop-confined: only the worker's event loop may use it.
public final class TimerLists {
    let eventLoop: any EventLoop
    /// The worker's clock: deadlines start from it, and a firing reads it once for all its timers.
    public let clock: LoopClock
    private var lists: [Int64: TimerList] = [:]
    private var armed: NIOScheduledCallback?
    private var armedAt: NIODeadline?

    public init(eventLoop: any EventLoop, clock: LoopClock = LoopClock()) {
        self.eventLoop = eventLoop
        self.clock = clock
    }

    /// The list for `duration`, made on first use.
    public func list(_ duration: TimeAmount) -> TimerList {
        if let l = lists[duration.nanoseconds] { return l }
        let l = TimerList(duration: duration, owner: self, clock: clock)
        lists[duration.nanoseconds] = l
        return l
    }

    /// Makes sure the loop wakes up by `deadline`.
    func arm(for deadline: NIODeadline) {
        if let at = armedAt, at <= deadline { return }
        let loop = eventLoop.assumeIsolated()
        if let armed { loop.cancelScheduledCallback(armed) }
        armedAt = deadline
        armed = try? loop.scheduleCallback(at: deadline, handler: TimerListsWakeUp(owner: self))
    }

    fileprivate func fire() {
        armed = nil
        armedAt = nil
        clock.enter()
        defer { clock.leave() }
        let now = clock.now
        var next: NIODeadline?
        for l in lists.values {
            l.expire(now: now)
            if let d = l.headDeadline { next = min(next ?? d, d) }
        }
        if let next { arm(for: next) }
    }
}

/// One duration's nodes in deadline order.
public final class TimerList {
    public let duration: TimeAmount
    /// Unowned without checks: the owner holds every list it made for as long as it lives, and
    /// a checked unowned reference costs atomic reference counting on every use.
    unowned(unsafe) let owner: TimerLists
    /// The owner's clock, held here: reaching it through `owner` retains both.
    let clock: LoopClock
    private var head: Unmanaged<TimerListNode>?
    private var tail: Unmanaged<TimerListNode>?

    init(duration: TimeAmount, owner: TimerLists, clock: LoopClock) {
        self.duration = duration
        self.owner = owner
        self.clock = clock
    }

    var headDeadline: NIODeadline? { head?._withUnsafeGuaranteedRef { $0.timerDeadline } }

    /// Schedules `node` to expire `duration` from now (or from `start`). Rescheduling moves it.
    public func schedule(_ node: TimerListNode, from start: NIODeadline? = nil) {
        if let list = node.timerList { list._withUnsafeGuaranteedRef { $0.cancel(node) } }
        var deadline = (start ?? clock.now) + duration
        // Keep the list ordered even when `start` lies in the past.
        if let last = tail {
            let lastDeadline = last._withUnsafeGuaranteedRef { $0.timerDeadline }
            if lastDeadline > deadline { deadline = lastDeadline }
        }
        // The list's one reference to the node, dropped by `cancel`.
        let entry = Unmanaged.passRetained(node)
        node.timerDeadline = deadline
        node.timerList = Unmanaged.passUnretained(self)
        node.timerPrev = tail
        node.timerNext = nil
        if let last = tail {
            last._withUnsafeGuaranteedRef { $0.timerNext = entry }
        } else {
            head = entry
            owner.arm(for: deadline)
        }
        tail = entry
    }

    /// Removes `node` if it is scheduled here.
    public func cancel(_ node: TimerListNode) {
        guard let list = node.timerList, list.toOpaque() == Unmanaged.passUnretained(self).toOpaque() else { return }
        let prev = node.timerPrev
        let next = node.timerNext
        if let prev { prev._withUnsafeGuaranteedRef { $0.timerNext = next } } else { head = next }
        if let next { next._withUnsafeGuaranteedRef { $0.timerPrev = prev } } else { tail = prev }
        node.timerPrev = nil
        node.timerNext = nil
        node.timerList = nil
        // Last: the list's retain goes, which may free the node.
        Unmanaged.passUnretained(node).release()
    }

    func expire(now: NIODeadline) {
        while let h = head, h._withUnsafeGuaranteedRef({ $0.timerDeadline }) <= now {
            // Hold the node across its callback: cancel drops the list's reference.
            let node = h.takeUnretainedValue()
            cancel(node)
            node.timerExpired()
        }
    }
}

private struct TimerListsWakeUp: NIOScheduledCallbackHandler {
    let owner: TimerLists
    func handleScheduledCallback(eventLoop: some EventLoop) { owner.fire() }
}
