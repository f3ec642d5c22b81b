import NIOCore

/// The `grpc-timeout` request header (gRPC over HTTP/2: an integer of at most 8 digits and one
/// unit of H, M, S, m, u or n), read and written as Envoy's `Grpc::Common::getGrpcTimeout` and
/// `toGrpcTimeout` do: in whole milliseconds, sub-millisecond values rounded up.
public enum GRPCTimeout {
    /// The largest value the header may carry (8 digits).
    static let maxValue: Int64 = 99_999_999

    /// The header's value in milliseconds, or nil when it is absent or malformed.
    public static func milliseconds(_ value: String) -> Int64? {
        let utf8 = value.utf8
        guard let unit = utf8.last, utf8.count >= 2 else { return nil }
        var n: Int64 = 0
        for b in utf8.dropLast() {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + Int64(b - UInt8(ascii: "0"))
            guard n <= maxValue else { return nil }
        }
        // Envoy takes values strictly below 99999999.
        guard n < maxValue else { return nil }
        switch unit {
        case UInt8(ascii: "H"): return n * 3_600_000
        case UInt8(ascii: "M"): return n * 60_000
        case UInt8(ascii: "S"): return n * 1000
        case UInt8(ascii: "m"): return n
        case UInt8(ascii: "u"): return (n + 999) / 1000
        case UInt8(ascii: "n"): return (n + 999_999) / 1_000_000
        default: return nil
        }
    }

    /// The header value for `milliseconds`: milliseconds while they fit in 8 digits, else
    /// seconds, minutes or hours (clipped at 99999999H).
    public static func headerValue(milliseconds: Int64) -> String {
        var time = max(0, milliseconds)
        let units: [Character] = ["m", "S", "M", "H"]
        var unit = 0
        if time > maxValue {
            time /= 1000
            unit = 1
        }
        while time > maxValue {
            if unit == 3 {
                time = maxValue
            } else {
                time /= 60
                unit += 1
            }
        }
        return "\(time)\(units[unit])"
    }
}

extension TimeAmount {
    /// Whole milliseconds (Envoy's timeouts are milliseconds).
    var wholeMilliseconds: Int64 { nanoseconds / 1_000_000 }
}
