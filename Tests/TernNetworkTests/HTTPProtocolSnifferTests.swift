import Testing
@testable import TernNetwork

@Suite("HTTP protocol sniffer (http_inspector)")
struct HTTPProtocolSnifferTests {
    let sniffer = HTTPProtocolSniffer()

    private func sniff(_ text: String) -> HTTPProtocolSniffer.Result { sniffer.sniff(Array(text.utf8)) }

    @Test func requestLinesGiveTheirVersion() {
        #expect(sniff("GET / HTTP/1.1\r\nHost: a\r\n\r\n") == .found("http/1.1"))
        #expect(sniff("POST /x?y=1 HTTP/1.0\r\n") == .found("http/1.0"))
        #expect(sniff("GET / HTTP/1.1\n") == .found("http/1.1"), "a bare LF ends the line too")
        #expect(sniff("PURGE /cache HTTP/1.1\r\n") == .found("http/1.1"), "any token is a method")
        #expect(sniff("GET / HTTP/2.0\r\n") == .found("http/1.0"), "every other version counts as HTTP/1.0")
    }

    @Test func theHTTP2PrefaceIsH2C() {
        let preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
        #expect(sniff(preface) == .found("h2c"))
        #expect(sniff(preface + "\0\0\u{12}\u{4}") == .found("h2c"))
        // Every prefix of the preface waits: "PRI * HTTP/2.0\r\n" alone is also a request line.
        for n in 1..<preface.utf8.count {
            #expect(sniffer.sniff(Array(preface.utf8.prefix(n))) == .needMoreData, "prefix \(n)")
        }
    }

    @Test func partialRequestLinesWait() {
        for text in ["G", "GET", "GET ", "GET /path", "GET /path ", "GET /path HTTP/1.", "GET /path HTTP/1.1\r"] {
            #expect(sniff(text) == .needMoreData, "\(text)")
        }
    }

    @Test func anythingElseIsNotHTTP() {
        #expect(sniff("\r\nGET / HTTP/1.1\r\n") == .notHTTP, "an empty first line")
        #expect(sniff("GE(T / HTTP/1.1\r\n") == .notHTTP, "not a token")
        #expect(sniff(" GET / HTTP/1.1\r\n") == .notHTTP)
        #expect(sniff("GET  / HTTP/1.1\r\n") == .notHTTP, "an empty target")
        #expect(sniff("GET / XTTP/1.1") == .notHTTP, "decided before the line ends")
        #expect(sniff("GET /\r\n") == .notHTTP, "no version (HTTP/0.9)")
        #expect(sniff("GET / HTTP/1.10\r\n") == .notHTTP)
        #expect(sniff("SSH-2.0-OpenSSH_9.2\r\n") == .notHTTP)
        #expect(sniffer.sniff([0x16, 0x03, 0x01, 0x00, 0x05]) == .notHTTP, "a TLS record")
    }
}
