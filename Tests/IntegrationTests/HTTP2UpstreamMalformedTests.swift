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

    @Test("a body that does not add up to the response's content-length never completes downstream",
          arguments: [(10, "four"), (2, "four")])
    func contentLengthMismatch(declared: Int, body: String) async throws {
        let answer = ScriptedHTTP2Server.Answer.headersAndData(Self.block([("content-length", String(declared))]), body: Array(body.utf8))
        let server = try await ScriptedHTTP2Server.start(answer)
        let config = EnvoyConfig.httpProxy(to: server.port, clusterExtra: HTTP2UpstreamTests.h2Cluster())
        try await TernProcess.with(config: config) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/")
            // Either the head never went (502) or the response is cut short: never a clean answer.
            #expect(response.status == 502 || response.exitCode != 0, "\(response)")
            if HTTP2FloodTests.isTern {  // Envoy counts it under its codec's stats instead
                #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_protocol_error", atLeast: 1) >= 1)
            }
        }
        await server.stop()
    }

    @Test("a headers-only response that declares a body is a 502")
    func headersOnlyWithLength() async throws {
        let server = try await ScriptedHTTP2Server.start(.headers(Self.block([("content-length", "5")])))
        let config = EnvoyConfig.httpProxy(to: server.port, clusterExtra: HTTP2UpstreamTests.h2Cluster())
        try await TernProcess.with(config: config) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/")
            #expect(response.status == 502, "\(response)")
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
