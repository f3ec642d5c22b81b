#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
import TernCore

@Suite struct LoopClockTests {
    /// Long enough that two system readings around it always differ.
    static func pause() { usleep(2_000) }

    @Test func outsideACallbackEveryReadingAsksTheSystem() {
        let clock = LoopClock()
        let a = clock.uptimeNanoseconds
        Self.pause()
        let b = clock.uptimeNanoseconds
        #expect(b > a)
        // The same scale as NIO's deadlines and Dispatch's uptime.
        let system = DispatchTime.now().uptimeNanoseconds
        #expect(system >= b && system - b < 1_000_000_000)
    }

    @Test func insideACallbackTheFirstReadingHoldsUntilTheOutermostLeave() {
        let clock = LoopClock()
        clock.enter()
        let first = clock.uptimeNanoseconds
        let wall = clock.wallClock
        Self.pause()
        #expect(clock.uptimeNanoseconds == first)
        #expect(clock.now.uptimeNanoseconds == first)
        #expect(clock.wallClock.tv_sec == wall.tv_sec && clock.wallClock.tv_nsec == wall.tv_nsec)
        // A nested callback (a write that fires another handler's read) shares the reading.
        clock.enter()
        Self.pause()
        #expect(clock.uptimeNanoseconds == first)
        clock.leave()
        #expect(clock.uptimeNanoseconds == first)
        clock.leave()
        // The callback is over: the next reading is new.
        #expect(clock.uptimeNanoseconds > first)
        // The next callback starts from a fresh reading too.
        Self.pause()
        clock.enter()
        let second = clock.uptimeNanoseconds
        #expect(second > first + 2_000_000)
        clock.leave()
    }

    @Test func theWallClockIsTheSystemsRealTime() {
        let clock = LoopClock()
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        clock.enter()
        let wall = clock.wallClock
        clock.leave()
        #expect(wall.tv_sec - ts.tv_sec <= 1 && wall.tv_sec >= ts.tv_sec)
    }
}
