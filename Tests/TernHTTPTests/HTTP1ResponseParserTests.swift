import NIOCore
import NIOHTTP1
import Testing

@testable import TernHTTP

@Suite("HTTP/1.1 response parser")
struct HTTP1ResponseParserTests {
    /// What a response parsed into, in a form that compares.
    struct Parsed: Equatable {
        var status: Int?
        var headers: [String] = []
        var body = ""
        var trailers: [String]?
        var ended = false
        var keepAlive = true
    }

    /// Feeds `wire` in pieces of `step` bytes (0: all at once) after a request with `method`.
    static func parse(_ wire: String, method: HTTPMethod = .GET, step: Int = 0) throws(HTTPParserError) -> Parsed {
        var parser = HTTP1ResponseParser()
        parser.expectResponse(to: method)
        var out = Parsed()
        let bytes = Array(wire.utf8)
        let size = step == 0 ? max(bytes.count, 1) : step
        var offset = 0
        while offset < bytes.count {
            var buffer = ByteBuffer(bytes: bytes[offset..<min(offset + size, bytes.count)])
            offset += size
            while let part = try parser.next(&buffer) {
                switch part {
                case .head(let head):
                    out.status = Int(head.status.code)
                    out.headers = head.headers.map { "\($0.name): \($0.value)" }
                    out.keepAlive = parser.keepAlive
                case .body(var b): out.body += b.readString(length: b.readableBytes)!
                case .end(let t):
                    out.ended = true
                    out.trailers = t.map { $0.map { "\($0.name): \($0.value)" } }
                }
            }
        }
        if parser.closed() { out.ended = true }
        return out
    }

    /// The same wire fed at once and a byte at a time must parse the same.
    static func parseEveryWay(_ wire: String, method: HTTPMethod = .GET) throws -> Parsed {
        let whole = try parse(wire, method: method)
        for step in [1, 2, 7] { #expect(try parse(wire, method: method, step: step) == whole, "step \(step)") }
        return whole
    }

    @Test("content-length body, headers kept in order and trimmed")
    func contentLength() throws {
        let p = try Self.parseEveryWay("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 5\r\nX-Pad:   a b  \r\n\r\nhello")
        #expect(p == Parsed(status: 200, headers: ["Server: nginx", "Content-Length: 5", "X-Pad: a b"], body: "hello", ended: true))
    }

    @Test("chunked body with extensions and trailers")
    func chunked() throws {
        let wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nx-checksum: 42\r\n\r\n"
        let p = try Self.parseEveryWay(wire)
        #expect(p.body == "hello0123456789" && p.ended && p.trailers == ["x-checksum: 42"])
    }

    @Test("no body after HEAD, for 204 and 304, and for content-length 0")
    func noBody() throws {
        #expect(try Self.parseEveryWay("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", method: .HEAD).ended)
        #expect(try Self.parseEveryWay("HTTP/1.1 204 No Content\r\n\r\n").ended)
        #expect(try Self.parseEveryWay("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n").ended)
        #expect(try Self.parseEveryWay("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").ended)
    }

    @Test("informational responses are skipped; the final one is the response")
    func informational() throws {
        let p = try Self.parseEveryWay("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        #expect(p.status == 201 && p.body == "ok" && p.ended)
    }

    @Test("a body without length runs to the close, and the connection is not kept")
    func untilClose() throws {
        let p = try Self.parseEveryWay("HTTP/1.1 200 OK\r\n\r\nstream of bytes")
        #expect(p.body == "stream of bytes" && p.ended)
        // Transfer-Encoding without chunked last is also read to the close.
        #expect(try Self.parseEveryWay("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw").body == "raw")
    }

    @Test("keep-alive: HTTP/1.1 unless connection: close, HTTP/1.0 only with keep-alive")
    func keepAlive() throws {
        #expect(try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive)
        #expect(try !Self.parse("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n").keepAlive)
        #expect(try !Self.parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive)
        #expect(try Self.parse("HTTP/1.0 200 OK\r\nConnection: x, Keep-Alive\r\nContent-Length: 0\r\n\r\n").keepAlive)
    }

    @Test("bare LF line ends are accepted")
    func bareLF() throws {
        let p = try Self.parseEveryWay("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")
        #expect(p.status == 200 && p.body == "ok" && p.ended)
    }

    @Test("a 101 ends at its head; the bytes after it are left for the tunnel")
    func upgrade() throws {
        var parser = HTTP1ResponseParser()
        parser.expectResponse(to: .GET)
        var buffer = ByteBuffer(string: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
        buffer.writeBytes([0x81, 0x02, UInt8(ascii: "h"), UInt8(ascii: "i")])  // a WebSocket frame
        guard case .head(let head) = try parser.next(&buffer) else { Issue.record("no head"); return }
        #expect(head.status == .switchingProtocols)
        guard case .end(nil) = try parser.next(&buffer) else { Issue.record("no end"); return }
        #expect(try parser.next(&buffer) == nil)
        #expect(buffer.readableBytes == 4)
    }

    @Test("unknown status codes keep their reason phrase")
    func customStatus() throws {
        var parser = HTTP1ResponseParser()
        parser.expectResponse(to: .GET)
        var buffer = ByteBuffer(string: "HTTP/1.1 599 Network Timeout\r\nContent-Length: 0\r\n\r\n")
        guard case .head(let head) = try parser.next(&buffer) else { Issue.record("no head"); return }
        #expect(head.status.code == 599 && head.status.reasonPhrase == "Network Timeout")
    }

    @Test("malformed responses are errors", arguments: [
        ("HTTP/2.0 200 OK\r\n\r\n", HTTPParserError.invalidVersion),
        ("HTTP/1.1 2x0 OK\r\n\r\n", .invalidStatus),
        ("HTTP/1.1 200OK\r\n\r\n", .invalidStatus),
        ("HTTP/1.1 099 Low\r\n\r\n", .invalidStatus),
        ("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", .invalidHeaderToken),
        ("HTTP/1.1 200 OK\r\nName : x\r\n\r\n", .invalidHeaderToken),
        ("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", .invalidHeaderToken),
        ("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", .invalidHeaderToken),
        ("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", .invalidCharactersUsed),
        ("HTTP/1.1 200 OK\r\nA: b\u{0}c\r\n\r\n", .invalidCharactersUsed),
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", .unexpectedContentLength),
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .unexpectedContentLength),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n", .invalidContentLength),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .invalidChunkSize),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", .invalidChunkSize),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", .invalidChunkSize),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab", .invalidInternalState),
    ])
    func malformed(wire: String, error: HTTPParserError) {
        #expect(throws: error) { try Self.parse(wire) }
    }

    @Test("a head beyond 80 KiB is refused without waiting for its end")
    func headOverflow() {
        let wire = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 90 * 1024)
        #expect(throws: HTTPParserError.headerOverflow) { try Self.parse(wire, step: 4096) }
        #expect(throws: HTTPParserError.headerOverflow) { try Self.parse(wire + "\r\n\r\n") }  // complete, in one read
    }
}
