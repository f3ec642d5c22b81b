import NIOCore
import NIOHTTP1
import Testing
@testable import TernHTTP

/// Message heads as bytes: each head is written into space reserved from its computed length,
/// so these check the exact bytes for heads whose lengths are computed differently.
@Suite struct HTTP1SerializerTests {
    private func bytes(_ write: (inout ByteBuffer) -> Void) -> String {
        var buffer = ByteBuffer()
        write(&buffer)
        return String(buffer: buffer)
    }

    @Test func responseHead() {
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-length": "3", "server": "envoy"])
        #expect(bytes { HTTP1Serializer.write(head, into: &$0) }
            == "HTTP/1.1 200 OK\r\ncontent-length: 3\r\nserver: envoy\r\n\r\n")
    }

    @Test func responseHeadWithCustomReasonAndHTTP10() {
        let head = HTTPResponseHead(version: .http1_0, status: .custom(code: 599, reasonPhrase: "Über Weird"), headers: [:])
        #expect(bytes { HTTP1Serializer.write(head, into: &$0) } == "HTTP/1.0 599 Über Weird\r\n\r\n")
    }

    @Test func requestHead() {
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/a?b=ü", headers: ["host": "h", "x-e": ""])
        #expect(bytes { HTTP1Serializer.write(head, into: &$0) } == "POST /a?b=ü HTTP/1.1\r\nhost: h\r\nx-e: \r\n\r\n")
    }

    @Test func customMethodAndHTTP10Request() {
        let head = HTTPRequestHead(version: .http1_0, method: .RAW(value: "PURGE"), uri: "*", headers: [:])
        #expect(bytes { HTTP1Serializer.write(head, into: &$0) } == "PURGE * HTTP/1.0\r\n\r\n")
    }

    @Test func longFieldsAfterBytesAlreadyInTheBuffer() {
        // Larger than any buffer reserved up front, with multi-byte UTF-8, written after bytes
        // the buffer already holds (the reservation is from the writer index).
        let long = String(repeating: "v", count: 5000) + "é"
        let head = HTTPResponseHead(version: .http1_1, status: .notFound, headers: ["x-long": long, "x-small": "1"])
        let text = bytes { buffer in
            buffer.writeString("prefix|")
            HTTP1Serializer.write(head, into: &buffer)
        }
        #expect(text == "prefix|HTTP/1.1 404 Not Found\r\nx-long: \(long)\r\nx-small: 1\r\n\r\n")
    }

    @Test func trailers() {
        #expect(bytes { HTTP1Serializer.writeLastChunk(trailers: ["grpc-status": "0"], into: &$0) } == "0\r\ngrpc-status: 0\r\n\r\n")
        #expect(bytes { HTTP1Serializer.writeLastChunk(trailers: [:], into: &$0) } == "0\r\n\r\n")
    }
}
