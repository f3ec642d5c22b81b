// What the connection manager does to every response's headers on the way out, with an upstream
// that sends the hop-by-hop headers a proxy must not pass on and no `date`.

import Testing
import TernTestSupport

@Suite("Response headers", .requires(.curl), .timeLimit(.minutes(2)), .proxyLogsOnFailure)
struct ResponseHeaderTests {
    private static let upstreamResponse = "HTTP/1.1 200 OK\r\nServer: up/1\r\nKeep-Alive: timeout=5\r\n"
        + "Proxy-Connection: keep-alive\r\nX-Kept: yes\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"

    /// The response to one GET through Tern with `hcmExtra` in its connection manager.
    private func response(hcmExtra: String = "") async throws -> CurlResponse {
        let upstream = try await RawResponder.start(response: Self.upstreamResponse)
        let response = try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port, hcmExtra: hcmExtra)) { proxy in
            try await Curl.get(port: try await proxy.listenerPort("ingress"))
        }
        await upstream.stop()
        return response
    }

    private func expectHopByHopStrippedAndDateAdded(_ r: CurlResponse) {
        #expect(r.status == 200 && r.bodyText == "ok")
        #expect(r.headers["x-kept"] == "yes")
        #expect(r.headers["keep-alive"] == nil)
        #expect(r.headers["proxy-connection"] == nil)
        #expect(r.headers["connection"] == nil, "a kept-alive HTTP/1.1 response names no connection option")
        #expect(r.headers["date"] != nil, "a response without date gets one")
    }

    @Test("OVERWRITE (the default): server is Tern's, hop-by-hop headers are gone, date is added")
    func overwrite() async throws {
        let r = try await response()
        expectHopByHopStrippedAndDateAdded(r)
        #expect(r.headers.values("server") == ["envoy"])
    }

    @Test("APPEND_IF_ABSENT: the upstream's server stays")
    func appendIfAbsent() async throws {
        let r = try await response(hcmExtra: "server_header_transformation: APPEND_IF_ABSENT")
        expectHopByHopStrippedAndDateAdded(r)
        #expect(r.headers.values("server") == ["up/1"])
    }

    @Test("PASS_THROUGH: the upstream's server stays")
    func passThrough() async throws {
        let r = try await response(hcmExtra: "server_header_transformation: PASS_THROUGH")
        expectHopByHopStrippedAndDateAdded(r)
        #expect(r.headers.values("server") == ["up/1"])
    }
}
