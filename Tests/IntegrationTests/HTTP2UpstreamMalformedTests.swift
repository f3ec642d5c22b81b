import Testing
import TernTestSupport

/// An HTTP/2 upstream's malformed response HEADERS (RFC 9113 §8.2: upper-case or non-token
/// names, connection-specific fields, CR, LF or NUL in a value, misplaced pseudo-headers) are a
/// protocol error: the client gets 502 and nothing of the block. Tern checks the block itself as
/// it converts it (NIOHTTP2's validation is off on upstream connections), so this is where a
/// response-splitting value would otherwise reach an HTTP/1.1 client.
@Suite("HTTP/2 upstream, malformed responses")
struct HTTP2UpstreamMalformedTests {
    static func block(_ fields: [(String, String)]) -> HPACKLiteralBlock {
        var block = HPACKLiteralBlock()
        block.indexed(8)  // :status 200
        for (name, value) in fields { block.literal(name: name, value: value) }
        return block
    }

    static let malformed: [(String, HPACKLiteralBlock)] = [
        ("CR LF in a value", block([("x-split", "a\r\nset-cookie: evil=1")])),
        ("upper-case name", block([("X-Evil", "1")])),
        ("connection-specific field", block([("connection", "close")])),
        ("NUL in a value", block([("x-nul", "a\u{0}evil")])),
    ]

    @Test("a malformed response block is a 502 protocol error and none of it reaches the client",
          arguments: malformed.indices)
    func malformedResponse(index: Int) async throws {
        let (what, block) = Self.malformed[index]
        let server = try await ScriptedHTTP2Server.start(.headers(block))
        let config = EnvoyConfig.httpProxy(to: server.port, clusterExtra: HTTP2UpstreamTests.h2Cluster())
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.get(port: port, "/")
            #expect(response.status == 502, "\(what): \(response)")
            #expect(!response.headers.contains("set-cookie") && !response.headers.contains("x-evil"), "\(what): \(response)")
            #expect(!response.bodyText.contains("evil"), "\(what)")
            #expect(server.answeredCount >= 1)
        }
        await server.stop()
    }

    @Test("a well-formed block from the same scripted server is relayed")
    func wellFormedResponse() async throws {
        let server = try await ScriptedHTTP2Server.start(.headers(Self.block([("x-fine", "a b\tc")])))
        let config = EnvoyConfig.httpProxy(to: server.port, clusterExtra: HTTP2UpstreamTests.h2Cluster())
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.get(port: port, "/")
            #expect(response.status == 200, "\(response)")
            #expect(response.headers["x-fine"] == "a b\tc", "\(response)")
        }
        await server.stop()
    }
}
