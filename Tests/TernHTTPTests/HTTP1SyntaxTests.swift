import NIOCore
import NIOHTTP1
import Testing
@testable import TernHTTP

/// The shared HTTP/1.1 syntax: the token alphabet, blocks and lines, and field lines.
@Suite struct HTTP1SyntaxTests {
    @Test("isTokenByte is RFC 9110's tchar, for every byte value")
    func tokenBytes() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for b in UInt8.min...UInt8.max {
            #expect(HTTP1Syntax.isTokenByte(b) == tchar.contains(b), "byte \(b)")
        }
    }

    @Test("a block ends at its first empty line, CRLF or bare LF; an unfinished one waits")
    func blocks() {
        var crlf = ByteBuffer(string: "a: 1\r\nb: 2\r\n\r\nrest")
        #expect(HTTP1Syntax.takeBlock(&crlf).map { String(buffer: $0) } == "a: 1\r\nb: 2\r\n")
        #expect(String(buffer: crlf) == "rest")
        var lf = ByteBuffer(string: "a: 1\nb: 2\n\nrest")
        #expect(HTTP1Syntax.takeBlock(&lf).map { String(buffer: $0) } == "a: 1\nb: 2\n")
        var empty = ByteBuffer(string: "\r\nrest")
        #expect(HTTP1Syntax.takeBlock(&empty).map { String(buffer: $0) } == "")
        var unfinished = ByteBuffer(string: "a: 1\r\nb: 2\r\n")
        #expect(HTTP1Syntax.takeBlock(&unfinished) == nil)
        #expect(unfinished.readableBytes == 12)
    }

    @Test("field names come back exactly as sent, known spellings or not")
    func namesKeepTheirSpelling() throws {
        let names = ["host", "Host", "HOST", "hosT", "date", "Date", "server", "Server", "sErver", "content-length",
                     "Content-Length", "CONTENT-LENGTH", "transfer-encoding", "Transfer-Encoding", "x-custom", "ETag", "etag",
                     "Etag", "user-agent", "User-Agent", "accept-encoding", "Accept-Encoding", "cache-control", "Cache-Control"]
        for name in names {
            let parsed = try fields("\(name): 1")
            #expect(Array(parsed).map(\.name) == [name])
        }
    }

    @Test("a long value repeated at the same position is the previous message's string; anything else is new")
    func repeatedValues() throws {
        var cache = HTTP1ValueCache()
        func parse(_ block: String) throws -> [(String, String)] {
            var fields = try HTTP1Syntax.withBytes(ByteBuffer(string: block)) { raw throws(HTTPParserError) in
                try HTTP1Syntax.parseFields(raw, from: 0, scan: false, values: &cache)
            }
            return Array(fields.takeHeaders()).map { ($0.name, $0.value) }
        }
        func storage(_ s: String) -> UnsafeRawPointer? {
            s.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
        }
        let date = "Fri, 27 Nov 2026 20:41:40 GMT"
        let first = try parse("Date: \(date)\r\nX-A: 1")
        let second = try parse("Date: \(date)\r\nX-A: 2")
        #expect(first.map(\.1) == [date, "1"] && second.map(\.1) == [date, "2"])
        #expect(storage(first[0].1) == storage(second[0].1), "the repeated date is the same string")
        // A changed value, or the same value at another position, is made anew and still right.
        let later = "Fri, 27 Nov 2026 20:41:41 GMT"
        let third = try parse("Date: \(later)")
        let fourth = try parse("Server: x\r\nDate: \(later)")
        #expect(third.map(\.1) == [later] && fourth.map(\.1) == ["x", later])
        #expect(storage(third[0].1) != storage(first[0].1))
        let long = String(repeating: "v", count: HTTP1ValueCache.maxLength + 1)
        #expect(try parse("A: \(long)").map(\.1) == [long])
    }

    private func fields(_ block: String) throws(HTTPParserError) -> HTTPHeaders {
        var fields = try HTTP1Syntax.withBytes(ByteBuffer(string: block)) { raw throws(HTTPParserError) in
            try HTTP1Syntax.parseFields(raw, from: 0, scan: true)
        }
        return fields.takeHeaders()
    }

    @Test("values are trimmed of spaces and tabs at both ends only; an empty value is kept")
    func trimming() throws {
        let headers = try fields("A: \t x\ty \t\r\nB:\r\nC:   \nD:v")
        #expect(Array(headers).map { "\($0.name)=\($0.value)" } == ["A=x\ty", "B=", "C=", "D=v"])
    }

    @Test("refused field lines", arguments: [
        (": v", HTTPParserError.invalidHeaderToken),
        ("a b: v", .invalidHeaderToken),
        ("a", .invalidHeaderToken),
        ("a: b\rc", .invalidCharactersUsed),
        ("a: b\u{7F}", .invalidCharactersUsed),
        ("a: b\u{0}", .invalidCharactersUsed),
        ("ok: 1\r\nbad\u{1}: 2", .invalidHeaderToken),
    ])
    func refused(line: String, error: HTTPParserError) {
        #expect(throws: error) { try fields(line) }
    }
}
