import NIOHPACK
import NIOHTTP1
import Testing
@testable import TernHTTP

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
        let head = try #require(HTTP2UpstreamHeaders.response(HPACKHeaders([(":status", "404"), ("content-type", "text/plain")])))
        #expect(head.status == .notFound)
        #expect(head.headers.first(name: "content-type") == "text/plain")
        #expect(!head.headers.contains(name: ":status"))
    }

    @Test func responseWithoutStatusIsMalformed() {
        #expect(HTTP2UpstreamHeaders.response(HPACKHeaders([("content-type", "text/plain")])) == nil)
        #expect(HTTP2UpstreamHeaders.response(HPACKHeaders([(":status", "abc")])) == nil)
    }

    @Test func trailersBothWays() {
        let trailers = HTTP2UpstreamHeaders.trailers(HPACKHeaders([("grpc-status", "0"), ("grpc-message", "ok")]))
        #expect(trailers.first(name: "grpc-status") == "0")
        let fields = HTTP2UpstreamHeaders.trailerFields(["X-Trailer": "a", "Transfer-Encoding": "chunked"])
        #expect(fields.map(\.name) == ["x-trailer"])
    }
}
