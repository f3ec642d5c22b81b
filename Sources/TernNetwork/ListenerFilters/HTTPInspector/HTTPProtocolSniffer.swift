import NIOCore

/// Tells from a connection's first bytes whether it speaks HTTP/1.x or HTTP/2 with prior
/// knowledge (h2c), as Envoy's http_inspector does: the HTTP/2 client preface, or an HTTP/1
/// request line (`method SP target SP HTTP/x.y CRLF`), judged as the bytes come and refused at
/// the first byte that cannot belong to one. A pure value.
package struct HTTPProtocolSniffer: Sendable {
    /// What the bytes so far say.
    package enum Result: Equatable, Sendable {
        case needMoreData
        case notHTTP
        /// The ALPN-style name Envoy records: `http/1.0`, `http/1.1` or `h2c`.
        case found(String)
    }

    /// Envoy's `MAX_INSPECT_SIZE`: a request line not complete within this many bytes is a read error.
    package static let maxInspectSize = 64 * 1024

    private static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    private static let httpSlash = Array("HTTP/".utf8)

    package init() {}

    package func sniff(_ bytes: ByteBuffer) -> Result {
        bytes.withUnsafeReadableBytes { sniff(UnsafeRawBufferPointer($0)) }
    }

    package func sniff(_ bytes: [UInt8]) -> Result {
        bytes.withUnsafeBytes { sniff($0) }
    }

    private func sniff(_ raw: UnsafeRawBufferPointer) -> Result {
        guard !raw.isEmpty else { return .needMoreData }
        let n = min(raw.count, Self.preface.count)
        if (0..<n).allSatisfy({ raw[$0] == Self.preface[$0] }) {
            return raw.count < Self.preface.count ? .needMoreData : .found("h2c")
        }
        return requestLine(raw)
    }

    private enum Part { case method, target, version }

    /// The HTTP/1 request line, byte by byte.
    private func requestLine(_ raw: UnsafeRawBufferPointer) -> Result {
        var part = Part.method
        var partStart = 0
        for i in 0..<raw.count {
            let c = raw[i]
            switch part {
            case .method:
                if c == UInt8(ascii: " ") {
                    guard i > partStart else { return .notHTTP }
                    part = .target
                    partStart = i + 1
                } else if !Self.isTokenChar(c) {
                    return .notHTTP
                }
            case .target:
                if c == UInt8(ascii: " ") {
                    guard i > partStart else { return .notHTTP }
                    part = .version
                    partStart = i + 1
                } else if c <= 0x20 || c == 0x7F {
                    return .notHTTP
                }
            case .version:
                if c == UInt8(ascii: "\n") {
                    var end = i
                    if end > partStart, raw[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    return version(raw, partStart..<end)
                }
                // `HTTP/d.d` then CR: anything longer cannot be a version.
                let at = i - partStart
                guard at < 9 else { return .notHTTP }
                if at < 5, c != Self.httpSlash[at] { return .notHTTP }
            }
        }
        return .needMoreData
    }

    private func version(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) -> Result {
        let text = Array(raw[range])
        guard text.count == 8, text[0..<5].elementsEqual("HTTP/".utf8), Self.isDigit(text[5]),
              text[6] == UInt8(ascii: "."), Self.isDigit(text[7]) else { return .notHTTP }
        // Envoy records HTTP/1.1 as such and every other version as HTTP/1.0.
        return .found(text[5] == UInt8(ascii: "1") && text[7] == UInt8(ascii: "1") ? "http/1.1" : "http/1.0")
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// RFC 9110 `tchar`.
    private static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }
}
