import NIOCore

/// Something that can sit in a `TimerList`: it carries its own links, so scheduling and
/// cancelling allocate nothing.
public protocol TimerListMember: AnyObject {
    var timerLinks: TimerLinks { get set }
    /// The deadline passed while the member was scheduled. Runs on the worker's loop.
    func timerExpired()
}

/// The intrusive links of a `TimerListMember`. The list holds its members strongly (`next`), so
/// a scheduled member lives until it fires or is cancelled.
public struct TimerLinks {
    var next: (any TimerListMember)?
    unowned(unsafe) var prev: (any TimerListMember)?
    var deadline = NIODeadline.uptimeNanoseconds(0)
    var list: TimerList?

    public init() {}

    /// True while the member is scheduled.
    public var isScheduled: Bool { list != nil }

}

/// Per-worker timers grouped by duration. Every member of one list has the same timeout, so
/// the list is ordered by deadline simply by appending: scheduling and cancelling are O(1) and
/// only the earliest head needs a real event-loop timer. This is how a proxy with thousands of
/// streams keeps route, idle and per-try timeouts off the event loop's timer heap.
/// Loop-confined: only the worker's event loop may use it.
public final class TimerLists {
    let eventLoop: any EventLoop
    private var lists: [Int64: TimerList] = [:]
    private var armed: NIOScheduledCallback?
    private var armedAt: NIODeadline?

    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The list for `duration`, made on first use.
    public func list(_ duration: TimeAmount) -> TimerList {
        if let l = lists[duration.nanoseconds] { return l }
        let l = TimerList(duration: duration, owner: self)
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
        let now = NIODeadline.now()
        var next: NIODeadline?
        for l in lists.values {
            l.expire(now: now)
            if let d = l.headDeadline { next = min(next ?? d, d) }
        }
        if let next { arm(for: next) }
    }
}

/// One duration's members in deadline order.
public final class TimerList {
    public let duration: TimeAmount
    unowned let owner: TimerLists
    private var head: (any TimerListMember)?
    private unowned(unsafe) var tail: (any TimerListMember)?

    init(duration: TimeAmount, owner: TimerLists) {
        self.duration = duration
        self.owner = owner
    }

    var headDeadline: NIODeadline? { head?.timerLinks.deadline }

    /// Schedules `member` to expire `duration` from now (or from `start`). Rescheduling a
    /// scheduled member moves it.
    public func schedule(_ member: any TimerListMember, from start: NIODeadline = .now()) {
        if member.timerLinks.isScheduled { member.timerLinks.list?.cancel(member) }
        var deadline = start + duration
        // Keep the list ordered even when `start` lies in the past.
        if let t = tail, t.timerLinks.deadline > deadline { deadline = t.timerLinks.deadline }
        member.timerLinks.deadline = deadline
        member.timerLinks.list = self
        member.timerLinks.prev = tail
        member.timerLinks.next = nil
        if let t = tail {
            t.timerLinks.next = member
        } else {
            head = member
            owner.arm(for: deadline)
        }
        tail = member
    }

    /// Removes `member` if it is scheduled here.
    public func cancel(_ member: any TimerListMember) {
        guard member.timerLinks.list === self else { return }
        let prev = member.timerLinks.prev
        let next = member.timerLinks.next
        if let prev { prev.timerLinks.next = next } else { head = next }
        if let next { next.timerLinks.prev = prev } else { tail = prev }
        member.timerLinks.prev = nil
        member.timerLinks.list = nil
        // Last: this may release the member.
        member.timerLinks.next = nil
    }

    func expire(now: NIODeadline) {
        while let h = head, h.timerLinks.deadline <= now {
            cancel(h)
            h.timerExpired()
        }
    }
}

private struct TimerListsWakeUp: NIOScheduledCallbackHandler {
    let owner: TimerLists
    func handleScheduledCallback(eventLoop: some EventLoop) { owner.fire() }
}

extension TimerListMember {
    /// Takes this member out of whatever timer list holds it.
    public func cancelTimer() {
        timerLinks.list?.cancel(self)
    }
}
