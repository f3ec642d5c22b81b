import NIOCore
import NIOHTTP1

/// Writes HTTP/1.1 message heads and chunked framing straight into `ByteBuffer`s, so the
/// connection manager needs no encoder handler in the pipeline: one hop less per write, and
/// framing stays where it is decided (the codec). Header names and values are written as they
/// are; they come from a parser that refuses CR/LF, or from config that was checked at load.
enum HTTP1Serializer {
    /// `HTTP/1.1 200 OK\r\n` + headers + `\r\n`.
    static func write(_ head: HTTPResponseHead, into buffer: inout ByteBuffer) {
        let reason = head.status.reasonPhrase
        let http10 = head.version.minor == 0 && head.version.major == 1
        let code = min(max(Int(head.status.code), 100), 999)
        // "HTTP/1.x " + 3 digits + " " + reason + CRLF, the fields, the blank line.
        let length = 13 + reason.utf8.count + 2 + fieldsLength(head.headers) + 2
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { out in
            var w = HeadWriter(out)
            w.put(http10 ? "HTTP/1.0 " : "HTTP/1.1 ")
            w.byte(UInt8(ascii: "0") + UInt8(code / 100))
            w.byte(UInt8(ascii: "0") + UInt8(code / 10 % 10))
            w.byte(UInt8(ascii: "0") + UInt8(code % 10))
            w.byte(UInt8(ascii: " "))
            w.put(reason)
            w.put("\r\n")
            w.putFields(head.headers)
            w.put("\r\n")
            return w.at
        }
    }

    /// `GET /path HTTP/1.1\r\n` + headers + `\r\n`.
    static func write(_ head: HTTPRequestHead, into buffer: inout ByteBuffer) {
        let method = head.method.rawValue
        let uri = head.uri
        let http10 = head.version.minor == 0 && head.version.major == 1
        // method + " " + target + " HTTP/1.x" + CRLF, the fields, the blank line.
        let length = method.utf8.count + 1 + uri.utf8.count + 11 + fieldsLength(head.headers) + 2
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { out in
            var w = HeadWriter(out)
            w.put(method)
            w.byte(UInt8(ascii: " "))
            w.put(uri)
            w.put(http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n")
            w.putFields(head.headers)
            w.put("\r\n")
            return w.at
        }
    }

    static func write(_ headers: HTTPHeaders, into buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: fieldsLength(headers)) { out in
            var w = HeadWriter(out)
            w.putFields(headers)
            return w.at
        }
    }

    /// The bytes `name: value\r\n` takes for every field.
    private static func fieldsLength(_ headers: HTTPHeaders) -> Int {
        var length = 0
        for (name, value) in headers { length += name.utf8.count + value.utf8.count + 4 }
        return length
    }

    /// One chunk as three writes (size line, the data as it is, CRLF), for data too big to copy.
    static func writeChunk(_ data: ByteBuffer, on context: ChannelHandlerContext) {
        var size = context.channel.allocator.buffer(capacity: 12)
        writeChunkHeader(size: data.readableBytes, into: &size)
        context.write(NIOAny(size), promise: nil)
        context.write(NIOAny(data), promise: nil)
        context.write(NIOAny(crlf), promise: nil)
    }

    static let crlf = ByteBuffer(string: "\r\n")

    /// The size line of one chunk: `<hex>\r\n`.
    static func writeChunkHeader(size: Int, into buffer: inout ByteBuffer) {
        buffer.writeString(String(size, radix: 16))
        buffer.writeStaticString("\r\n")
    }

    /// The last chunk and optional trailers: `0\r\n` + trailers + `\r\n`.
    static func writeLastChunk(trailers: HTTPHeaders?, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("0\r\n")
        if let trailers { write(trailers, into: &buffer) }
        buffer.writeStaticString("\r\n")
    }
}

/// Writes a head's bytes into space reserved for exactly them: one reservation per head
/// instead of one bounds-checked buffer write per piece (four per field).
private struct HeadWriter {
    let out: UnsafeMutableRawBufferPointer
    var at = 0

    init(_ out: UnsafeMutableRawBufferPointer) { self.out = out }

    mutating func byte(_ b: UInt8) {
        precondition(at < out.count)
        out[at] = b
        at += 1
    }

    mutating func put(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        precondition(at + n <= out.count)
        (out.baseAddress! + at).copyMemory(from: s.utf8Start, byteCount: n)
        at += n
    }

    mutating func put(_ s: String) {
        let copied = s.utf8.withContiguousStorageIfAvailable { src -> Int in
            precondition(at + src.count <= out.count)
            if let base = src.baseAddress { (out.baseAddress! + at).copyMemory(from: base, byteCount: src.count) }
            return src.count
        }
        if let copied {
            at += copied
        } else {
            for b in s.utf8 { byte(b) }
        }
    }

    mutating func putFields(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            put(name)
            put(": ")
            put(value)
            put("\r\n")
        }
    }
}
