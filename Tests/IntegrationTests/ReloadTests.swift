// Reloading the bootstrap file on SIGHUP (Tern's own behaviour; Envoy reloads only through xDS):
// a good file takes effect without a restart and without dropping open connections, a broken file
// is refused and the running config keeps serving.

import Foundation
import Testing
import TernTestSupport

@Suite("Reload on SIGHUP", .ternOnly, .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct ReloadTests {
    /// Listener "ingress" answering every path with a direct response `body`.
    static func config(body: String) -> String {
        let hosts = """
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                direct_response: { status: 200, body: { inline_string: "\(body)" } }
            """
        return EnvoyConfig.bootstrap(listeners: [EnvoyConfig.httpListener(virtualHosts: hosts)], clusters: [])
    }

    /// The body the proxy answers `/` with now (the listener's port is read again each time, in
    /// case a reload rebinds it).
    static func currentBody(_ proxy: TernProcess) async throws -> String {
        try await Curl.get(port: try await proxy.listenerPort("ingress"), "/").bodyText
    }

    @Test("a good file changes the route and keeps open connections working")
    func goodReload() async throws {
        try await TernProcess.with(config: Self.config(body: "v1")) { proxy in
            #expect(try await Self.currentBody(proxy) == "v1")
            let port = try await proxy.listenerPort("ingress")
            let open = try await RawConnection.connect(port: port)
            try await open.send("GET /before HTTP/1.1\r\nhost: x\r\n\r\n")
            #expect(try await open.readResponses(1).responses.first?.bodyText == "v1")

            try proxy.replaceConfig(Self.config(body: "v2"))
            proxy.send(signal: SIGHUP)
            let changed = try await waitUntil(timeout: .seconds(10)) { try await Self.currentBody(proxy) == "v2" }
            #expect(changed, "the new route never took effect")
            #expect(proxy.isRunning)
            #expect(try await proxy.listenerPort("ingress") == port, "only the filter chain changed: same socket")
            #expect(try await proxy.waitForStat("tern.config_reload.success", atLeast: 1) == 1)

            // The connection opened before the reload still carries requests (it may be told to
            // close afterwards, as draining connections are).
            try? await open.send("GET /after HTTP/1.1\r\nhost: x\r\n\r\n")
            let after = try await open.readResponses(2)
            await open.close()
            #expect(after.responses.count == 2, "the open connection was dropped: \(after.text)")
            #expect(after.responses.last?.status == 200)
        }
    }

    @Test("a broken file is refused and the old config keeps serving")
    func brokenReload() async throws {
        try await TernProcess.with(config: Self.config(body: "v1")) { proxy in
            #expect(try await Self.currentBody(proxy) == "v1")
            try proxy.replaceConfig("static_resources: [this is not, a bootstrap\n")
            proxy.send(signal: SIGHUP)
            // For a second after the bad reload, every answer must still come from v1.
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .seconds(1) {
                #expect(try await Self.currentBody(proxy) == "v1")
                #expect(proxy.isRunning)
            }

            // A good file after the broken one is still picked up.
            try proxy.replaceConfig(Self.config(body: "v3"))
            proxy.send(signal: SIGHUP)
            let changed = try await waitUntil(timeout: .seconds(10)) { try await Self.currentBody(proxy) == "v3" }
            #expect(changed, "a good reload after a broken one never took effect")
            #expect(try await proxy.stat("tern.config_reload.failure") == 1)
            #expect(try await proxy.waitForStat("tern.config_reload.success", atLeast: 1) == 1)
        }
    }
}
