#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Testing
@testable import TernNetwork

@Suite("START_TIME rendering")
struct AccessLogTimeFormatTests {
    /// libc's rendering of `pattern` in UTC, the reference for the specifiers we render ourselves.
    private func libc(_ pattern: String, _ seconds: Int) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        var out = [CChar](repeating: 0, count: 256)
        let n = strftime(&out, out.count, pattern, &parts)
        return String(decoding: out.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func ours(_ pattern: String, _ seconds: Int, _ nanos: Int = 0) -> String {
        var buffer = ByteBuffer()
        AccessLogTimeFormat(pattern: pattern).write(seconds: seconds, nanoseconds: nanos, into: &buffer)
        return String(buffer: buffer)
    }

    @Test func matchesLibcOverManyDates() {
        let pattern = "%Y-%m-%d %H:%M:%S %a %A %b %B %h %j %e %y %C %I %l %k %p %u %w %D %T %F %R %s %% %U"
        var generator = SystemRandomNumberGenerator()
        var samples = [0, -1, 86_399, 86_400, 951_782_400, 951_868_800, 1_795_745_461, 4_102_444_800, -2_208_988_800]
        for _ in 0..<2000 { samples.append(Int.random(in: -4_000_000_000...8_000_000_000, using: &generator)) }
        for seconds in samples {
            #expect(ours(pattern, seconds) == libc(pattern, seconds), "t=\(seconds)")
        }
    }

    @Test func envoyDefaultHasMilliseconds() {
        var buffer = ByteBuffer()
        AccessLogTimeFormat.envoyDefault.write(seconds: 1_795_745_461, nanoseconds: 5_000_000, into: &buffer)
        #expect(String(buffer: buffer) == "2026-11-27T02:11:01.005Z")
    }

    @Test func fractionsTruncateAndTrim() {
        #expect(ours("%3f %6f %9f %f", 0, 999_999_999) == "999 999999 999999999 999999999")
        #expect(ours("%E*S", 5, 120_000_000) == "05.12")
        #expect(ours("%E*S", 5, 0) == "05")
        #expect(ours("%Ez %E6S", 5, 1_000) == "+00:00 05.000001")
        #expect(ours("100%% %", 0) == "100% %")
    }

    @Test func civilDatesAroundLeapYears() {
        #expect(AccessLogTimeFormat.civil(days: 0) == (1970, 1, 1))
        #expect(AccessLogTimeFormat.civil(days: 11_016) == (2000, 2, 29))
        #expect(AccessLogTimeFormat.civil(days: -1) == (1969, 12, 31))
        #expect(AccessLogTimeFormat.civil(days: 47_540) == (2100, 2, 28))
        #expect(AccessLogTimeFormat.civil(days: 47_541) == (2100, 3, 1))
    }
}
