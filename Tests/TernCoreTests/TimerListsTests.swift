import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import TernCore

/// A node that records its expiry in a shared log.
private final class RecordingNode: TimerListNode, @unchecked Sendable {
    let name: String
    let fired: NIOLockedValueBox<[String]>
    init(_ name: String, into fired: NIOLockedValueBox<[String]>) {
        self.name = name
        self.fired = fired
    }
    override func timerExpired() { fired.withLockedValue { $0.append(name) } }
}

private struct Unchecked<T>: @unchecked Sendable { let value: T }

@Suite struct TimerListsTests {
    @Test func nodesExpireInOrderAndCancelledOnesNever() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let fired = NIOLockedValueBox<[String]>([])
        let box = try await loop.submit { () -> Unchecked<(TimerLists, [RecordingNode])> in
            let lists = TimerLists(eventLoop: loop)
            let nodes = ["a", "b", "c", "d"].map { RecordingNode($0, into: fired) }
            let short = lists.list(.milliseconds(30))
            for n in nodes.prefix(3) { short.schedule(n) }
            lists.list(.milliseconds(10)).schedule(nodes[3])
            // Cancelled before its deadline: never fires. Rescheduled: moves to the end.
            nodes[1].cancelTimer()
            short.schedule(nodes[0])
            return Unchecked(value: (lists, nodes))
        }.get()
        let deadline = ContinuousClock.now + .seconds(5)
        while fired.withLockedValue({ $0.count }) < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        // A little longer, so a wrongly kept "b" would show up.
        try await Task.sleep(for: .milliseconds(60))
        // Within one list nodes expire in deadline order; lists that are due in the same wake-up
        // (a loaded machine wakes late) are walked in no particular order.
        let order = fired.withLockedValue { $0 }
        #expect(order.sorted() == ["a", "c", "d"], "\(order)")
        #expect(order.filter { $0 != "d" } == ["c", "a"], "\(order)")
        let scheduled = try await loop.submit { box.value.1.map { $0.isTimerScheduled } }.get()
        #expect(scheduled == [false, false, false, false])
        try await group.shutdownGracefully()
    }

    @Test func aNodeIsKeptAliveOnlyWhileScheduled() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let fired = NIOLockedValueBox<[String]>([])
        let released = try await loop.submit { () -> Bool in
            let lists = TimerLists(eventLoop: loop)
            weak var weakNode: RecordingNode?
            do {
                let node = RecordingNode("x", into: fired)
                weakNode = node
                lists.list(.seconds(60)).schedule(node)
            }
            let aliveWhileScheduled = weakNode != nil
            weakNode?.cancelTimer()
            return aliveWhileScheduled && weakNode == nil
        }.get()
        #expect(released)
        try await group.shutdownGracefully()
    }
}
