import NIOCore
import NIOHTTP1
import Testing

@testable import TernHTTP

@Suite("HTTP/1.1 request parser")
struct HTTP1RequestParserTests {
    /// One request as parsed, in a form that compares.
    struct Request: Equatable {
        var line = ""
        var headers: [String] = []
        var keepAlive = true
        var bodyless = false
        var hostCount = 0
        var body = ""
        var trailers: [String]?
        var ended = false
    }

    /// Every request in `wire`, fed in pieces of `step` bytes (0: all at once); also what was
    /// left for a tunnel after an upgrade.
    static func parse(_ wire: String, step: Int = 0, maxHead: Int = 60 * 1024) throws(HTTPParserError) -> ([Request], String) {
        var parser = HTTP1RequestParser(maxHeadBytes: maxHead)
        var out: [Request] = []
        var rest = ""
        let bytes = Array(wire.utf8)
        let size = step == 0 ? max(bytes.count, 1) : step
        var offset = 0
        while offset < bytes.count {
            var buffer = ByteBuffer(bytes: bytes[offset..<min(offset + size, bytes.count)])
            offset += size
            while let part = try parser.next(&buffer) {
                switch part {
                case .head(let head, let scan, let keepAlive, let bodyless):
                    out.append(Request(line: "\(head.method.rawValue) \(head.uri) HTTP/\(head.version.major).\(head.version.minor)",
                                       headers: head.headers.map { "\($0.name): \($0.value)" }, keepAlive: keepAlive,
                                       bodyless: bodyless, hostCount: scan.contains(.multipleHosts) ? 2 : scan.contains(.host) ? 1 : 0))
                case .body(var b): out[out.count - 1].body += b.readString(length: b.readableBytes)!
                case .end(let t):
                    out[out.count - 1].ended = true
                    out[out.count - 1].trailers = t.map { $0.map { "\($0.name): \($0.value)" } }
                }
            }
            if parser.isUpgraded { rest += buffer.readString(length: buffer.readableBytes) ?? "" }
        }
        return (out, rest)
    }

    static func parseEveryWay(_ wire: String) throws -> ([Request], String) {
        let whole = try parse(wire)
        for step in [1, 3, 16] {
            let split = try parse(wire, step: step)
            #expect(split.0 == whole.0 && split.1 == whole.1, "step \(step)")
        }
        return whole
    }

    @Test("a GET, then a pipelined POST with a body, then a chunked one with trailers")
    func pipelined() throws {
        let wire = "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /b HTTP/1.1\r\nhost: h\r\nContent-Length: 5\r\n\r\nhello"
            + "\r\n"  // a stray CRLF after a body is skipped (RFC 9112 §2.2)
            + "PUT /c HTTP/1.1\r\nhost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nx-sum: 1\r\n\r\n"
        let (requests, _) = try Self.parseEveryWay(wire)
        #expect(requests.map(\.line) == ["GET /a?x=1 HTTP/1.1", "POST /b HTTP/1.1", "PUT /c HTTP/1.1"])
        #expect(requests.map(\.bodyless) == [true, false, false])
        #expect(requests.map(\.body) == ["", "hello", "abc"])
        #expect(requests.allSatisfy(\.ended) && requests[2].trailers == ["x-sum: 1"])
        #expect(requests[0].headers == ["Host: h"] && requests[0].hostCount == 1)
    }

    @Test("keep-alive by version and connection tokens; two hosts are noted")
    func keepAliveAndScan() throws {
        #expect(try !Self.parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").0[0].keepAlive)
        #expect(try !Self.parse("GET / HTTP/1.0\r\n\r\n").0[0].keepAlive)
        #expect(try Self.parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").0[0].keepAlive)
        #expect(try Self.parse("GET / HTTP/1.1\r\nhost: a\r\nHost: b\r\n\r\n").0[0].hostCount == 2)
        #expect(try Self.parse("POST / HTTP/1.1\r\ncontent-length: 0\r\n\r\n").0[0].bodyless)
    }

    @Test("after an upgrade request or CONNECT, the rest is left for the tunnel")
    func upgrade() throws {
        let ws = "GET /chat HTTP/1.1\r\nhost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u{1}frame"
        let (requests, rest) = try Self.parseEveryWay(ws)
        #expect(requests.count == 1 && requests[0].ended && rest == "\u{1}frame")
        let connect = try Self.parseEveryWay("CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\nGET / HTTP/1.1\r\n\r\n")
        #expect(connect.0.map(\.line) == ["CONNECT example.com:443 HTTP/1.1"] && connect.1 == "GET / HTTP/1.1\r\n\r\n")
        // An Upgrade header without `connection: upgrade` switches nothing.
        #expect(try Self.parse("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET /2 HTTP/1.1\r\n\r\n").0.count == 2)
    }

    @Test("refused requests", arguments: [
        ("GARBAGE\r\n\r\n", HTTPParserError.invalidMethod),
        ("GET /\r\n\r\n", .invalidURL),
        ("GET  / HTTP/1.1\r\n\r\n", .invalidURL),
        ("GET /a b HTTP/1.1\r\n\r\n", .invalidConstant),
        ("GET /a\u{7F} HTTP/1.1\r\n\r\n", .invalidURL),
        ("G(T / HTTP/1.1\r\n\r\n", .invalidMethod),
        ("GET / HTTP/9.9\r\n\r\n", .invalidVersion),
        ("GET / HTTP/2.0\r\n\r\n", .invalidVersion),
        ("GET / HTTX/1.1\r\n\r\n", .invalidConstant),
        ("GET / HTTP/1.1\r\nbad name: v\r\n\r\n", .invalidHeaderToken),
        ("GET / HTTP/1.1\r\nname : v\r\n\r\n", .invalidHeaderToken),
        ("GET / HTTP/1.1\r\na: b\r\n folded\r\n\r\n", .invalidHeaderToken),
        ("GET / HTTP/1.1\r\na: b\u{1}c\r\n\r\n", .invalidCharactersUsed),
        ("POST / HTTP/1.1\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n", .unexpectedContentLength),
        ("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n", .unexpectedContentLength),
        ("POST / HTTP/1.1\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n", .unexpectedContentLength),
        ("POST / HTTP/1.1\r\ncontent-length: 5, 5\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\ncontent-length: +5\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\ntransfer-encoding: gzip\r\n\r\n", .unknown),
        ("POST / HTTP/1.1\r\ntransfer-encoding: chunked, gzip\r\n\r\n", .unknown),
        ("FOO / HTTP/1.1\r\n\r\n", .invalidMethod),
        ("GET /\u{E9} HTTP/1.1\r\n\r\n", .invalidURL),
        ("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n", .invalidChunkSize),
        ("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n-1\r\n", .invalidChunkSize),
        ("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n", .invalidChunkSize),
        ("POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n2;" + String(repeating: "x", count: 2000), .invalidChunkSize),
    ])
    func refused(wire: String, error: HTTPParserError) {
        #expect(throws: error) { try Self.parse(wire) }
    }

    @Test("a head over the limit is refused, complete or not")
    func headOverflow() {
        let big = "GET / HTTP/1.1\r\nx-big: " + String(repeating: "a", count: 2000)
        #expect(throws: HTTPParserError.headerOverflow) { try Self.parse(big, step: 100, maxHead: 1024) }
        #expect(throws: HTTPParserError.headerOverflow) { try Self.parse(big + "\r\n\r\n", maxHead: 1024) }
        #expect(throws: Never.self) { try Self.parse("GET / HTTP/1.1\r\nx: y\r\n\r\n", maxHead: 1024) }
    }
}
