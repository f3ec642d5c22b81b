import NIOCore
import NIOHTTP1

/// Writes HTTP/1.1 message heads and chunked framing straight into `ByteBuffer`s, so the
/// connection manager needs no encoder handler in the pipeline: one hop less per write, and
/// framing stays where it is decided (the codec). Header names and values are written as they
/// are; they come from a parser that refuses CR/LF, or from config that was checked at load.
enum HTTP1Serializer {
    /// `HTTP/1.1 200 OK\r\n` + headers + `\r\n`.
    static func write(_ head: HTTPResponseHead, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(head.version.minor == 0 && head.version.major == 1 ? "HTTP/1.0 " : "HTTP/1.1 ")
        writeStatusCode(Int(head.status.code), into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(head.status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        write(head.headers, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    /// `GET /path HTTP/1.1\r\n` + headers + `\r\n`.
    static func write(_ head: HTTPRequestHead, into buffer: inout ByteBuffer) {
        buffer.writeString(head.method.rawValue)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(head.uri)
        buffer.writeStaticString(head.version.minor == 0 && head.version.major == 1 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n")
        write(head.headers, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    static func write(_ headers: HTTPHeaders, into buffer: inout ByteBuffer) {
        for (name, value) in headers {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
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

    private static func writeStatusCode(_ code: Int, into buffer: inout ByteBuffer) {
        let c = min(max(code, 100), 999)
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(c / 100))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(c / 10 % 10))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(c % 10))
    }
}
