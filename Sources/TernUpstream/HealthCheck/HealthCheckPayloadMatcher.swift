/// Envoy's `TcpHealthCheckMatcher`: every expected segment must occur in the received bytes, each
/// after the end of the previous one. Also used for an HTTP check's `receive` against the body.
public enum HealthCheckPayloadMatcher {
    /// Whether `segments` appear in `data` in order.
    public static func matches(_ segments: [[UInt8]], in data: some Collection<UInt8>) -> Bool {
        let bytes = Array(data)
        var start = 0
        for segment in segments {
            guard let found = firstIndex(of: segment, in: bytes, from: start) else { return false }
            start = found + segment.count
        }
        return true
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        if needle.isEmpty { return start <= haystack.count ? start : nil }
        guard haystack.count >= needle.count else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Decodes Envoy's hex `text` payload ("000000FF"); nil when it is not even-length hex.
    public static func decodeHex(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
