// The harness checked on its own, with no proxy in between: when a proxy test fails, these say the
// fake upstreams and the parsers were not the ones at fault.

import Foundation
import Testing
import TernTestSupport

@Suite("Harness", .timeLimit(.minutes(3)))
struct HarnessTests {
    @Test("the response parser splits pipelined, chunked, 1xx and close-delimited responses")
    func responseParser() {
        let bytes = Array((
            "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"
                + "HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: t\r\n\r\n"
                + "HTTP/1.0 200 OK\r\nserver: old\r\n\r\nuntil close"
        ).utf8)
        let open = HTTPResponseParser.parse(bytes, peerClosed: false)
        #expect(open.responses.map(\.status) == [100, 200, 201], "the last one needs the close")
        let closed = HTTPResponseParser.parse(bytes, peerClosed: true).responses
        #expect(closed.map(\.status) == [100, 200, 201, 200])
        #expect(closed[1].bodyText == "hello")
        #expect(closed[2].isChunked && closed[2].bodyText == "abcde" && closed[2].chunkSizes == [3, 2])
        #expect(closed[3].version == "HTTP/1.0" && closed[3].bodyText == "until close")
        #expect(closed[3].headers["SERVER"] == "old")

        let partial = Array("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort".utf8)
        #expect(HTTPResponseParser.parse(partial, peerClosed: false).responses.isEmpty)
    }

    @Test("UpstreamServer records requests and echoes them", .requires(.curl))
    func upstreamEcho() async throws {
        let upstream = try await UpstreamServer.start(.echo, name: "direct")
        let response = try await Curl.request(port: upstream.port, "/path?q=1", method: "PUT",
                                              headers: ["x-test: 1"], body: Array("payload".utf8))
        #expect(response.status == 200)
        #expect(response.headers["x-upstream-name"] == "direct")
        let echoed = try response.echoed()
        #expect(echoed.method == "PUT" && echoed.uri == "/path?q=1" && echoed.body == "payload")
        #expect(echoed.bodyChecksum == Checksum.fnv1a(Array("payload".utf8)))
        let recorded = try #require(upstream.requests.first)
        #expect(recorded.headers["x-test"] == "1" && recorded.path == "/path" && recorded.connection == 1)
        await upstream.stop()
    }

    @Test("UpstreamServer streams chunks and can break a response on purpose")
    func upstreamBehaviours() async throws {
        let upstream = try await UpstreamServer.start(.chunked(["a", "bb", "ccc"]))
        let connection = try await RawConnection.connect(port: upstream.port)
        try await connection.send("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        let chunked = try #require(try await connection.readResponses(1).responses.first)
        #expect(chunked.isChunked && chunked.bodyText == "abbccc")

        upstream.behavior = .closeMidResponse(sent: 3, declared: 10)
        try await connection.send("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        let cut = try await connection.readUntilClose()
        #expect(cut.peerClosed && cut.text.contains("content-length: 10\r\n") && cut.text.hasSuffix("\r\n\r\nxxx"),
                "\(cut.text)")
        await connection.close()

        upstream.behavior = .reset
        let reset = try await RawConnection.connect(port: upstream.port)
        try await reset.send("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        let read = try await reset.readUntilClose()
        #expect(read.wasReset && read.bytes.isEmpty)
        await reset.close()
        await upstream.stop()
    }

    @Test("TCPEchoServer echoes and answers a half-close with EOF")
    func tcpEcho() async throws {
        let echo = try await TCPEchoServer.start(replyAfterEOF: true)
        let connection = try await RawConnection.connect(port: echo.port)
        try await connection.send("held until FIN")
        try await connection.shutdownWrite()
        let read = try await connection.readUntilClose()
        #expect(read.text == "held until FIN" && read.peerClosed && !read.timedOut)
        #expect(echo.halfClosedCount == 1 && echo.bytesEchoed == 14)
        await connection.close()
        await echo.stop()
    }

    @Test("bootstraps from EnvoyConfig carry no blank lines and bind only port 0")
    func configBuilder() {
        let yaml = EnvoyConfig.httpProxy(to: 4242)
        #expect(!yaml.contains("\n\n"))
        #expect(yaml.contains("port_value: 4242"))
        let ports = yaml.split(separator: "\n").filter { $0.contains("port_value") && !$0.contains("4242") }
        #expect(ports.allSatisfy { $0.contains("port_value: 0") })
    }
}
