// An upstream may answer before it has read the whole request body (a 413 for an upload).
// The client gets that answer, and the upstream connection, which still expects the rest of
// the body, is closed rather than reused or leaked.

import Testing
import TernTestSupport

@Suite("Early upstream responses", .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct EarlyResponseTests {
    @Test("a 413 sent before the body arrives reaches the client and the upstream connection is closed")
    func earlyPayloadTooLarge() async throws {
        let upstream = try await EarlyResponseUpstream.start(
            response: "HTTP/1.1 413 Payload Too Large\r\ncontent-length: 4\r\n\r\nbig!")
        let hosts = """
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: svc }
            """
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: hosts)],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream.port)])
        try await TernProcess.with(config: config) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("ingress"))
            // Announce 1 MB, send only the start of it.
            try await connection.send("POST /upload HTTP/1.1\r\nhost: x\r\ncontent-length: 1000000\r\n\r\n"
                + String(repeating: "a", count: 1000))
            let read = try await connection.readResponses(1)
            #expect(read.responses.first?.status == 413)
            #expect(read.responses.first?.bodyText == "big!")
            await connection.close()
            let closed = await waitUntil(timeout: .seconds(10)) { upstream.connectionsClosedByProxy >= 1 }
            #expect(closed, "the upstream connection was left open")
        }
        await upstream.stop()
    }
}
