import NIOHTTP1

/// One pass over a header block noting which of the headers the connection manager cares
/// about are present, so the common request (none of them) costs one loop and no removals.
struct HeaderScan: OptionSet {
    let rawValue: UInt32

    static let host = HeaderScan(rawValue: 1 << 0)
    static let multipleHosts = HeaderScan(rawValue: 1 << 1)
    static let connection = HeaderScan(rawValue: 1 << 2)
    static let keepAlive = HeaderScan(rawValue: 1 << 3)
    static let proxyConnection = HeaderScan(rawValue: 1 << 4)
    static let te = HeaderScan(rawValue: 1 << 5)
    static let upgrade = HeaderScan(rawValue: 1 << 6)
    static let transferEncoding = HeaderScan(rawValue: 1 << 7)
    static let contentLength = HeaderScan(rawValue: 1 << 8)
    static let expect = HeaderScan(rawValue: 1 << 9)
    static let xForwardedProto = HeaderScan(rawValue: 1 << 10)
    static let xForwardedFor = HeaderScan(rawValue: 1 << 11)
    static let xRequestID = HeaderScan(rawValue: 1 << 12)
    static let via = HeaderScan(rawValue: 1 << 13)
    static let server = HeaderScan(rawValue: 1 << 14)
    static let date = HeaderScan(rawValue: 1 << 15)
    /// Any `x-envoy-*` header: Envoy's trust boundary strips some of them from untrusted clients.
    static let xEnvoy = HeaderScan(rawValue: 1 << 16)

    /// Headers that never travel past a hop.
    static let hopByHop: HeaderScan = [.connection, .keepAlive, .proxyConnection, .te, .upgrade]

    init(rawValue: UInt32) { self.rawValue = rawValue }

    init(_ headers: HTTPHeaders) {
        var found: UInt32 = 0
        for (name, _) in headers {
            let bit = Self.bit(for: name)
            if bit == Self.host.rawValue, found & bit != 0 { found |= Self.multipleHosts.rawValue }
            found |= bit
        }
        rawValue = found
    }

    /// The bit for a header name, compared ASCII case-insensitively; 0 for names we ignore.
    @inline(__always)
    static func bit(for name: String) -> UInt32 {
        // Most names are none of ours: their length alone says so, without touching the bytes.
        let count = name.utf8.count
        guard count > 8 || interestingShortLengths & (1 << count) != 0 else { return 0 }
        return name.utf8.withContiguousStorageIfAvailable { bit(forBytes: UnsafeRawBufferPointer($0)) }
            ?? Array(name.utf8).withUnsafeBytes { bit(forBytes: $0) }
    }

    /// Lengths up to 8 of the names below (te, via, host/date, expect/server, upgrade).
    private static let interestingShortLengths: UInt32 = 1 << 2 | 1 << 3 | 1 << 4 | 1 << 6 | 1 << 7

    /// `bit(for:)` over a name's bytes.
    static func bit(forBytes raw: UnsafeRawBufferPointer) -> UInt32 {
        let b = raw.assumingMemoryBound(to: UInt8.self)
        if b.count > 8, b[0] | 0x20 == UInt8(ascii: "x"), b[1] == UInt8(ascii: "-"),
           asciiCaseInsensitiveEquals(UnsafeBufferPointer(rebasing: b[..<8]), "x-envoy-") {
            return xEnvoy.rawValue
        }
        switch b.count {
        case 2: return eq(b, "te") ? te.rawValue : 0
        case 3: return eq(b, "via") ? via.rawValue : 0
        case 4:
            if eq(b, "host") { return host.rawValue }
            return eq(b, "date") ? date.rawValue : 0
        case 6:
            if eq(b, "expect") { return expect.rawValue }
            return eq(b, "server") ? server.rawValue : 0
        case 7: return eq(b, "upgrade") ? upgrade.rawValue : 0
        case 10:
            if eq(b, "connection") { return connection.rawValue }
            return eq(b, "keep-alive") ? keepAlive.rawValue : 0
        case 12: return eq(b, "x-request-id") ? xRequestID.rawValue : 0
        case 14: return eq(b, "content-length") ? contentLength.rawValue : 0
        case 15: return eq(b, "x-forwarded-for") ? xForwardedFor.rawValue : 0
        case 16: return eq(b, "proxy-connection") ? proxyConnection.rawValue : 0
        case 17:
            if eq(b, "transfer-encoding") { return transferEncoding.rawValue }
            return eq(b, "x-forwarded-proto") ? xForwardedProto.rawValue : 0
        default: return 0
        }
    }

    @inline(__always)
    private static func eq(_ b: UnsafeBufferPointer<UInt8>, _ lower: StaticString) -> Bool {
        asciiCaseInsensitiveEquals(b, lower)
    }
}
