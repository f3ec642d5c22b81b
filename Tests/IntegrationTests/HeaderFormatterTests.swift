// Header values with Envoy's %COMMAND% substitutions, as Istio's and many hand-written configs use.

import Testing
import TernTestSupport

@Suite("Header value substitutions", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct HeaderFormatterTests {
    @Test("request and response header values expand %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%, %REQ()% and %UPSTREAM_HOST%")
    func substitutions() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        let hosts = """
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: svc }
                request_headers_to_add:
                - header: { key: x-client-ip, value: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%" }
                - header: { key: x-copied, value: "from-%REQ(x-source)%" }
                response_headers_to_add:
                - header: { key: x-served-by, value: "%UPSTREAM_HOST%" }
            """
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: hosts)],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream.port)])
        try await TernProcess.with(config: config) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.get(port: port, "/", headers: ["x-source: curl"])
            #expect(response.status == 200)
            #expect(response.headers["x-served-by"] == "127.0.0.1:\(upstream.port)")
            let seen = try #require(await upstream.waitForRequests(1).first)
            #expect(seen.headers["x-client-ip"] == "127.0.0.1")
            #expect(seen.headers["x-copied"] == "from-curl")
        }
        await upstream.stop()
    }
}
