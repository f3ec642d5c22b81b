#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// The pattern of `%START_TIME(…)%`, compiled once into pieces. Times are UTC, as in Envoy.
/// Common strftime specifiers are rendered here without allocating; Envoy's extras are `%s`
/// (epoch seconds), `%f` / `%1f`…`%9f` (fraction digits, 9 by default), and absl's `%E<n>S` /
/// `%E*S` (seconds with a fraction) and `%Ez`. Anything else goes through libc `strftime`.
struct AccessLogTimeFormat: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case literal([UInt8])
        case year, month, day, hour, minute, second
        case twoDigitYear, century, dayOfYear, spacePaddedDay, hour12, spacePaddedHour, spacePaddedHour12
        case amPM, weekdayNumberMondayOne, weekdayNumberSundayZero
        case weekdayShort, weekdayLong, monthShort, monthLong
        case epochSeconds
        case fraction(digits: Int)
        case secondsWithFraction(digits: Int)
        case secondsWithTrimmedFraction
        case offset, offsetWithColon, zoneName
        /// One specifier rendered by libc `strftime` (`%U`, `%c`, ...).
        case libc(String)
    }

    let pieces: [Piece]

    /// Envoy's default: `2026-11-27T02:11:01.123Z`.
    static let envoyDefault = AccessLogTimeFormat(pattern: "%Y-%m-%dT%H:%M:%E3SZ")

    init(pattern: String) {
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        let bytes = Array(pattern.utf8)
        var i = 0
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = []
        }
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "%"), i + 1 < bytes.count else {
                literal.append(bytes[i])
                i += 1
                continue
            }
            let c = bytes[i + 1]
            // %Nf: N fraction digits.
            if c >= UInt8(ascii: "1"), c <= UInt8(ascii: "9"), i + 2 < bytes.count, bytes[i + 2] == UInt8(ascii: "f") {
                flush()
                pieces.append(.fraction(digits: Int(c - 48)))
                i += 3
                continue
            }
            // absl: %E<n>S, %E*S, %Ez.
            if c == UInt8(ascii: "E"), i + 2 < bytes.count {
                let d = bytes[i + 2]
                if d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9"), i + 3 < bytes.count, bytes[i + 3] == UInt8(ascii: "S") {
                    flush()
                    pieces.append(d == UInt8(ascii: "0") ? .second : .secondsWithFraction(digits: Int(d - 48)))
                    i += 4
                    continue
                }
                if d == UInt8(ascii: "*"), i + 3 < bytes.count, bytes[i + 3] == UInt8(ascii: "S") {
                    flush()
                    pieces.append(.secondsWithTrimmedFraction)
                    i += 4
                    continue
                }
                if d == UInt8(ascii: "z") {
                    flush()
                    pieces.append(.offsetWithColon)
                    i += 3
                    continue
                }
            }
            i += 2
            if c == UInt8(ascii: "%") { literal.append(c); continue }
            if c == UInt8(ascii: "n") { literal.append(0x0A); continue }
            if c == UInt8(ascii: "t") { literal.append(0x09); continue }
            flush()
            switch UnicodeScalar(c) {
            case "Y": pieces.append(.year)
            case "m": pieces.append(.month)
            case "d": pieces.append(.day)
            case "H": pieces.append(.hour)
            case "M": pieces.append(.minute)
            case "S": pieces.append(.second)
            case "y": pieces.append(.twoDigitYear)
            case "C": pieces.append(.century)
            case "j": pieces.append(.dayOfYear)
            case "e": pieces.append(.spacePaddedDay)
            case "I": pieces.append(.hour12)
            case "k": pieces.append(.spacePaddedHour)
            case "l": pieces.append(.spacePaddedHour12)
            case "p": pieces.append(.amPM)
            case "u": pieces.append(.weekdayNumberMondayOne)
            case "w": pieces.append(.weekdayNumberSundayZero)
            case "a": pieces.append(.weekdayShort)
            case "A": pieces.append(.weekdayLong)
            case "b", "h": pieces.append(.monthShort)
            case "B": pieces.append(.monthLong)
            case "s": pieces.append(.epochSeconds)
            case "f": pieces.append(.fraction(digits: 9))
            case "z": pieces.append(.offset)
            case "Z": pieces.append(.zoneName)
            case "F": pieces += [.year, .literal([UInt8(ascii: "-")]), .month, .literal([UInt8(ascii: "-")]), .day]
            case "T": pieces += [.hour, .literal([UInt8(ascii: ":")]), .minute, .literal([UInt8(ascii: ":")]), .second]
            case "R": pieces += [.hour, .literal([UInt8(ascii: ":")]), .minute]
            case "D": pieces += [.month, .literal([UInt8(ascii: "/")]), .day, .literal([UInt8(ascii: "/")]), .twoDigitYear]
            default: pieces.append(.libc(String(decoding: [UInt8(ascii: "%"), c], as: UTF8.self)))
            }
        }
        flush()
        self.pieces = pieces
    }

    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                                 "September", "October", "November", "December"]
    private static let daysBeforeMonth = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]

    /// Renders the time `seconds.nanoseconds` since the epoch, UTC.
    func write(seconds: Int, nanoseconds: Int, into buffer: inout ByteBuffer) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(days: days)
        let hour = secondOfDay / 3600
        let minute = secondOfDay / 60 % 60
        let second = secondOfDay % 60
        let weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday (4).
        for piece in pieces {
            switch piece {
            case .literal(let bytes): buffer.writeBytes(bytes)
            case .year: AccessLogBytes.writeDecimal(year, minDigits: 4, into: &buffer)
            case .month: AccessLogBytes.writeDecimal(month, minDigits: 2, into: &buffer)
            case .day: AccessLogBytes.writeDecimal(day, minDigits: 2, into: &buffer)
            case .hour: AccessLogBytes.writeDecimal(hour, minDigits: 2, into: &buffer)
            case .minute: AccessLogBytes.writeDecimal(minute, minDigits: 2, into: &buffer)
            case .second: AccessLogBytes.writeDecimal(second, minDigits: 2, into: &buffer)
            case .twoDigitYear: AccessLogBytes.writeDecimal(((year % 100) + 100) % 100, minDigits: 2, into: &buffer)
            case .century: AccessLogBytes.writeDecimal(year / 100, minDigits: 2, into: &buffer)
            case .dayOfYear:
                let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
                let doy = Self.daysBeforeMonth[month - 1] + day + (leap && month > 2 ? 1 : 0)
                AccessLogBytes.writeDecimal(doy, minDigits: 3, into: &buffer)
            case .spacePaddedDay: AccessLogBytes.writeSpacePadded(day, width: 2, into: &buffer)
            case .hour12: AccessLogBytes.writeDecimal((hour + 11) % 12 + 1, minDigits: 2, into: &buffer)
            case .spacePaddedHour: AccessLogBytes.writeSpacePadded(hour, width: 2, into: &buffer)
            case .spacePaddedHour12: AccessLogBytes.writeSpacePadded((hour + 11) % 12 + 1, width: 2, into: &buffer)
            case .amPM: buffer.writeString(hour < 12 ? "AM" : "PM")
            case .weekdayNumberMondayOne: AccessLogBytes.writeDecimal(weekday == 0 ? 7 : weekday, into: &buffer)
            case .weekdayNumberSundayZero: AccessLogBytes.writeDecimal(weekday, into: &buffer)
            case .weekdayShort: buffer.writeString(String(Self.weekdays[weekday].prefix(3)))
            case .weekdayLong: buffer.writeString(Self.weekdays[weekday])
            case .monthShort: buffer.writeString(String(Self.months[month - 1].prefix(3)))
            case .monthLong: buffer.writeString(Self.months[month - 1])
            case .epochSeconds: AccessLogBytes.writeDecimal(seconds, into: &buffer)
            case .fraction(let digits): Self.writeFraction(nanoseconds, digits: digits, into: &buffer)
            case .secondsWithFraction(let digits):
                AccessLogBytes.writeDecimal(second, minDigits: 2, into: &buffer)
                buffer.writeInteger(UInt8(ascii: "."))
                Self.writeFraction(nanoseconds, digits: digits, into: &buffer)
            case .secondsWithTrimmedFraction:
                AccessLogBytes.writeDecimal(second, minDigits: 2, into: &buffer)
                if nanoseconds > 0 {
                    var digits = 9
                    var n = nanoseconds
                    while n % 10 == 0 {
                        n /= 10
                        digits -= 1
                    }
                    buffer.writeInteger(UInt8(ascii: "."))
                    AccessLogBytes.writeDecimal(n, minDigits: digits, into: &buffer)
                }
            case .offset: buffer.writeString("+0000")
            case .offsetWithColon: buffer.writeString("+00:00")
            case .zoneName: buffer.writeString("UTC")
            case .libc(let spec): Self.writeLibc(spec, seconds: seconds, into: &buffer)
            }
        }
    }

    /// The first `digits` digits of the nanoseconds, truncated as Envoy does.
    private static func writeFraction(_ nanoseconds: Int, digits: Int, into buffer: inout ByteBuffer) {
        var value = nanoseconds
        for _ in digits..<9 { value /= 10 }
        AccessLogBytes.writeDecimal(value, minDigits: digits, into: &buffer)
    }

    private static func writeLibc(_ spec: String, seconds: Int, into buffer: inout ByteBuffer) {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 128) { out in
            let n = spec.withCString { strftime(out.baseAddress!, 128, $0, &parts) }
            buffer.writeBytes(UnsafeRawBufferPointer(start: out.baseAddress, count: n))
        }
    }

    /// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01, by the
    /// era-of-400-years method: no tables, exact for any Int day.
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468  // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
