import Foundation
import NIOCore
import TernCore

/// The `date` header value, formatted once per second per worker rather than per response.
final class DateHeader {
    private let clock: LoopClock
    private var cachedSecond: Int = -1
    private var cached = ""

    init(clock: LoopClock) {
        self.clock = clock
    }

    var value: String {
        let second = Int(clock.wallClock.tv_sec)
        if second != cachedSecond {
            cachedSecond = second
            cached = Self.format(second)
        }
        return cached
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate, e.g. `Fri, 27 Nov 2026 02:11:01 GMT`.
    static func format(_ epochSeconds: Int) -> String {
        var t = time_t(epochSeconds)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(tmv.tm_wday)]), \(two(tmv.tm_mday)) \(months[Int(tmv.tm_mon)]) \(tmv.tm_year + 1900) "
            + "\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec)) GMT"
    }
}
