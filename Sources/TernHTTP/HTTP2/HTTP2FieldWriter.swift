internal import NIOHPACK
import NIOHTTP1
import TernHTTP2

/// HTTP/1-shaped headers written as HTTP/2 fields straight into a header block
/// (`HTTP2FieldSink`): names lower-cased into a scratch buffer on the way, the
/// connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2) and the ones `connection` names
/// left out. No `HPACKHeaders` and no lower-cased String is made for a field.
enum HTTP2FieldWriter {
    /// Longer names (rare) are lower-cased as Strings.
    static let scratchSize = 128

    /// `request`: a request toward an upstream, which also drops `host` (it became `:authority`)
    /// and keeps `te` only as `trailers`.
    static func appendRegular(_ headers: HTTPHeaders, request: Bool, to sink: inout HTTP2FieldSink) {
        let named = connectionTokens(headers)
        withUnsafeTemporaryAllocation(byteCount: scratchSize, alignment: 1) { scratch in
            for (name, value) in headers {
                guard name.utf8.count <= scratchSize else {
                    append(name.lowercased(), value, request: request, named: named, to: &sink)
                    continue
                }
                // Over the name's bytes in place: stepping through String.UTF8View costs several
                // times more per byte.
                let count = withBytes(name) { bytes in
                    for (i, b) in bytes.enumerated() {
                        scratch[i] = b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b
                    }
                    return bytes.count
                }
                let lower = UnsafeRawBufferPointer(rebasing: scratch[0..<count])
                withBytes(value) { appendField(lower, $0, request: request, named: named, to: &sink) }
            }
        }
    }

    private static func append(_ lower: String, _ value: String, request: Bool, named: [String], to sink: inout HTTP2FieldSink) {
        withBytes(lower) { n in withBytes(value) { v in appendField(n, v, request: request, named: named, to: &sink) } }
    }

    /// A String's UTF-8 bytes without copying it (a native or small String has them in one piece).
    private static func withBytes<R>(_ string: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let result = string.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
        var copy = string
        return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    private static func appendField(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, request: Bool,
                                    named: [String], to sink: inout HTTP2FieldSink) {
        if HTTP2FieldNames.isConnectionSpecific(name) { return }
        if request {
            if HTTP2FieldNames.equals(name, "host") { return }
            if HTTP2FieldNames.equals(name, "te") {
                // `te` may only say `trailers` in HTTP/2.
                if String(decoding: value, as: UTF8.self).lowercased().contains("trailers") {
                    sink.append(name: name, value: UnsafeRawBufferPointer(staticString: "trailers"), indexing: .indexable)
                }
                return
            }
        }
        if !named.isEmpty, named.contains(where: { $0.utf8.elementsEqual(name) }) { return }
        sink.append(name: name, value: value, indexing: indexing(name))
    }

    /// The lower-cased names the `connection` header lists (rare: usually none, and then only
    /// `contains` walks the list, without copying a field).
    private static func connectionTokens(_ headers: HTTPHeaders) -> [String] {
        guard headers.contains(name: "connection") else { return [] }
        var named: [String] = []
        for (name, value) in headers where name.utf8.count == 10 && name.lowercased() == "connection" {
            for token in value.split(separator: ",") {
                named.append(token.trimmingCharacters(in: .whitespaces).lowercased())
            }
        }
        return named
    }

    /// Values Tern makes new for every request stay out of the peer's HPACK table.
    static func indexing(_ name: UnsafeRawBufferPointer) -> HPACKIndexing {
        switch name.count {
        case 12: return HTTP2FieldNames.equals(name, "x-request-id") ? .nonIndexable : .indexable
        case 29: return HTTP2FieldNames.equals(name, "x-envoy-upstream-service-time") ? .nonIndexable : .indexable
        default: return .indexable
        }
    }
}

extension UnsafeRawBufferPointer {
    init(staticString: StaticString) {
        self.init(start: staticString.utf8Start, count: staticString.utf8CodeUnitCount)
    }
}
