// Requests a strict HTTP/1.1 server must refuse, sent as exact bytes: the proxy answers with the
// status Envoy uses, closes the connection, forwards nothing upstream and counts a protocol error.

import Foundation
import Testing
import TernTestSupport

@Suite("Bad input", .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var request: String
        var status: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "malformed request line", request: "GARBAGE\r\n\r\n", status: 400),
        // Envoy's codec parses any HTTP/x.y and refuses versions it does not speak with 426.
        Case(name: "unknown HTTP version", request: "GET / HTTP/9.9\r\nhost: x\r\n\r\n", status: 426),
        Case(name: "content-length and transfer-encoding together",
             request: "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n"
                 + "5\r\nhello\r\n0\r\n\r\n",
             status: 400),
        Case(name: "bad chunk size",
             request: "POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
             status: 400),
        Case(name: "non-numeric content-length",
             request: "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: five\r\n\r\nhello", status: 400),
        Case(name: "space inside a header name", request: "GET / HTTP/1.1\r\nhost: x\r\nbad name: v\r\n\r\n",
             status: 400),
        Case(name: "a method HTTP does not define", request: "FOO / HTTP/1.1\r\nhost: x\r\n\r\n", status: 400),
        Case(name: "a request target that is not ASCII", request: "GET /\u{E9} HTTP/1.1\r\nhost: x\r\n\r\n", status: 400),
        Case(name: "NUL in a header value", request: "GET / HTTP/1.1\r\nhost: x\r\nx: a\u{0}b\r\n\r\n", status: 400),
        Case(name: "two content-lengths in one field", request: "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 5, 5\r\n\r\nhello",
             status: 400),
        Case(name: "a transfer coding other than chunked",
             request: "POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: gzip\r\n\r\n", status: 501),
        Case(name: "70 KiB of headers over max_request_headers_kb 60",
             request: "GET / HTTP/1.1\r\nhost: x\r\n"
                 + (0..<70).map { "x-filler-\($0): \(String(repeating: "a", count: 1000))\r\n" }.joined()
                 + "\r\n",
             status: 431),
    ]

    @Test("is refused with Envoy's status, then the connection closes", arguments: cases)
    func refused(_ badCase: Case) async throws {
        let upstream = try await UpstreamServer.start(.echo)
        let config = EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: "max_request_headers_kb: 60")
        try await TernProcess.with(config: config) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("ingress"))
            try await connection.send(badCase.request)
            let read = try await connection.readUntilClose(timeout: .seconds(10))
            await connection.close()
            #expect(!read.timedOut, "the proxy must close the connection after a protocol error")
            let response = try #require(
                HTTPResponseParser.parse(read.bytes, peerClosed: true).responses.first,
                "no response to \(badCase.name): \(read.text)")
            #expect(response.status == badCase.status, "\(response)")
            #expect(response.headers["connection"] == "close")
            #expect(upstream.requests.isEmpty, "nothing may reach the upstream")
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_protocol_error", atLeast: 1) == 1)
        }
        await upstream.stop()
    }

    @Test("a good request after the limit-sized headers still works on a new connection",
          .requires(.curl))
    func stillServesAfterBadInput() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "fine"))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let bad = try await RawConnection.connect(port: port)
            try await bad.send("GARBAGE\r\n\r\n")
            _ = try await bad.readUntilClose()
            await bad.close()
            let good = try await Curl.get(port: port, "/")
            #expect(good.status == 200 && good.bodyText == "fine")
        }
        await upstream.stop()
    }
}
