import NIOHPACK
import NIOHTTP1
import Testing
@testable import TernHTTP
import TernHTTP2

/// HTTP/1.1 ⇄ HTTP/2 header translation for upstream streams.
@Suite struct HTTP2UpstreamHeadersTests {
    @Test func requestPseudoHeadersComeFirstAndHostBecomesAuthority() {
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/a?b=1", headers: [
            "Host": "svc.example:8080", "Content-Length": "3", "X-Custom": "v",
        ])
        let fields = HTTP2UpstreamHeaders.request(head, scheme: "http")
        #expect(fields.map(\.name) == [":method", ":scheme", ":authority", ":path", "content-length", "x-custom"])
        #expect(fields.first(name: ":method") == "POST")
        #expect(fields.first(name: ":authority") == "svc.example:8080")
        #expect(fields.first(name: ":path") == "/a?b=1")
    }

    @Test func connectionSpecificHeadersAreDropped() {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: [
            "host": "h", "connection": "keep-alive, x-hop", "keep-alive": "5", "transfer-encoding": "chunked",
            "upgrade": "h2c", "proxy-connection": "x", "x-hop": "1", "te": "trailers, deflate", "x-kept": "yes",
        ])
        let fields = HTTP2UpstreamHeaders.request(head, scheme: "https")
        #expect(fields.map(\.name) == [":method", ":scheme", ":authority", ":path", "te", "x-kept"])
        #expect(fields.first(name: "te") == "trailers")
        #expect(fields.first(name: ":scheme") == "https")
    }

    @Test func teWithoutTrailersIsDropped() {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: ["host": "h", "te": "gzip"])
        #expect(!HTTP2UpstreamHeaders.request(head, scheme: "http").contains(name: "te"))
    }

    @Test func responseHeadFromStatus() throws {
        let head = try #require(HTTP2UpstreamHeaders.response(HTTP2Fields([(":status", "404"), ("content-type", "text/plain")])))
        #expect(head.status == .notFound)
        #expect(head.headers.first(name: "content-type") == "text/plain")
        #expect(!head.headers.contains(name: ":status"))
    }

    @Test func responseWithoutStatusIsMalformed() {
        #expect(HTTP2UpstreamHeaders.response(HTTP2Fields([("content-type", "text/plain")])) == nil)
        #expect(HTTP2UpstreamHeaders.response(HTTP2Fields([(":status", "abc")])) == nil)
    }

    @Test func trailersBothWays() throws {
        let trailers = try #require(HTTP2UpstreamHeaders.trailers(HTTP2Fields([("grpc-status", "0"), ("grpc-message", "ok")])))
        #expect(trailers.first(name: "grpc-status") == "0")
        let fields = HTTP2UpstreamHeaders.trailerFields(["X-Trailer": "a", "Transfer-Encoding": "chunked"])
        #expect(fields.map(\.name) == ["x-trailer"])
    }

    /// NIOHTTP2's header validation is off on upstream connections: the conversion refuses what
    /// RFC 9113 calls malformed, so a bad upstream answer is a protocol error (502), never
    /// relayed (a CR or LF in a value would split an HTTP/1.1 response).
    @Test func malformedResponseBlocksAreRefused() {
        let malformed: [[(String, String)]] = [
            [(":status", "200"), (":status", "204")],                 // two :status
            [(":status", "200"), (":path", "/")],                     // a request pseudo-header
            [("x-a", "1"), (":status", "200")],                       // pseudo-header after a regular one
            [(":status", "200"), ("X-Upper", "1")],                   // upper case name
            [(":status", "200"), ("bad name", "1")],                  // not a token
            [(":status", "200"), ("", "1")],                          // empty name
            [(":status", "200"), ("connection", "close")],            // connection-specific
            [(":status", "200"), ("transfer-encoding", "chunked")],
            [(":status", "200"), ("keep-alive", "5")],
            [(":status", "200"), ("proxy-connection", "x")],
            [(":status", "200"), ("upgrade", "h2c")],
            [(":status", "200"), ("x-split", "a\r\nset-cookie: evil")],   // CR LF in a value
            [(":status", "200"), ("x-nul", "a\u{0}b")],
        ]
        for block in malformed {
            #expect(HTTP2UpstreamHeaders.response(HTTP2Fields(block)) == nil, "\(block)")
        }
        let fine = HTTP2UpstreamHeaders.response(HTTP2Fields([(":status", "200"), ("x-ok", "a b\tc"), ("te", "trailers")]))
        #expect(fine?.headers.first(name: "x-ok") == "a b\tc")
        #expect(HTTP2UpstreamHeaders.trailers(HTTP2Fields([(":status", "200")])) == nil)
        #expect(HTTP2UpstreamHeaders.trailers(HTTP2Fields([("x-t", "a\nb")])) == nil)
    }

    /// Values Tern makes new for every request stay out of the peer's HPACK table.
    @Test func perRequestValuesAreNotIndexed() {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        head.headers.add(name: "Host", value: "svc")
        head.headers.add(name: "X-Request-Id", value: "5b1c")
        head.headers.add(name: "accept", value: "*/*")
        let request = HTTP2UpstreamHeaders.request(head, scheme: "http")
        #expect(request.first { $0.name == "x-request-id" }?.indexable == .nonIndexable)
        #expect(request.first { $0.name == "accept" }?.indexable == .indexable)
        let response = HTTP2ResponseHeaders.fields(HTTPResponseHead(version: .http1_1, status: .ok, headers: [
            "x-envoy-upstream-service-time": "3", "content-type": "text/plain",
        ]))
        #expect(response.first { $0.name == "x-envoy-upstream-service-time" }?.indexable == .nonIndexable)
        #expect(response.first { $0.name == "content-type" }?.indexable == .indexable)
    }
}
