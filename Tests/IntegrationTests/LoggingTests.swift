// Admin /logging changes log levels while the process runs, as Envoy's does.

import Testing
import TernTestSupport

@Suite("Admin /logging", .ternOnly, .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct LoggingTests {
    static let config = EnvoyConfig.bootstrap(listeners: [], clusters: [])

    @Test("a component's level and then every level change at run time")
    func levelsChange() async throws {
        try await TernProcess.with(config: Self.config) { proxy in
            let before = try await proxy.admin.post("/logging").bodyText
            #expect(before.contains("  upstream: info"), "\(before)")
            let one = try await proxy.admin.post("/logging?upstream=debug").bodyText
            #expect(one.contains("  upstream: debug") && one.contains("  admin: info"), "\(one)")
            let all = try await proxy.admin.post("/logging?level=warning").bodyText
            #expect(all.contains("  upstream: warning") && all.contains("  admin: warning"), "\(all)")
            let bad = try await proxy.admin.post("/logging?level=loud")
            #expect(bad.status == 400)
        }
    }
}
