/// `x-request-id` values: random UUID v4 text, as Envoy generates them.
enum RequestID {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func make<G: RandomNumberGenerator>(using rng: inout G) -> String {
        var a = rng.next() as UInt64
        var b = rng.next() as UInt64
        // Version 4, variant 10xx.
        a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { buf in
            var i = 0
            func put(_ v: UInt64, _ nibbles: Int) {
                var shift = (nibbles - 1) * 4
                for _ in 0..<nibbles {
                    buf[i] = hex[Int((v >> UInt64(shift)) & 0xF)]
                    i += 1
                    shift -= 4
                }
            }
            put(a >> 32, 8); buf[i] = UInt8(ascii: "-"); i += 1
            put(a >> 16, 4); buf[i] = UInt8(ascii: "-"); i += 1
            put(a, 4); buf[i] = UInt8(ascii: "-"); i += 1
            put(b >> 48, 4); buf[i] = UInt8(ascii: "-"); i += 1
            put(b, 12)
            return i
        }
    }
}
