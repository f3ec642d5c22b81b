// The way tests run a proxy: start it, hand it to the test body, and always stop it afterwards.
// While the body runs the proxy is `TernProcess.current`, so a failed expectation can carry the
// proxy's own log lines (see `.proxyLogsOnFailure`); a thrown error prints them too.
//
// A typical integration test:
//
//     @Suite("My area", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
//     struct MyAreaTests {
//         @Test func proxied() async throws {
//             let upstream = try await UpstreamServer.start(.echo)
//             try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port)) { proxy in
//                 let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/x")
//                 #expect(response.status == 200)
//                 #expect(try response.echoed().headers["x-forwarded-proto"] == "http")
//                 #expect(try await proxy.waitForStat("cluster.svc.upstream_rq_200", atLeast: 1) == 1)
//             }
//             await upstream.stop()
//         }
//     }

import Testing

extension TernProcess {
    /// The proxy of the `with` call the current task runs in.
    @TaskLocal public static var current: TernProcess?

    /// Starts a proxy with `config`, runs `body`, then stops it whatever happened.
    public static func with<T: Sendable>(
        config: String,
        kind: ProxyKind = TestEnvironment.proxyUnderTest,
        concurrency: Int = 1,
        logLevel: String = "info",
        extraArguments: [String] = [],
        _ body: (TernProcess) async throws -> T
    ) async throws -> T {
        let proxy = try await start(config: config, kind: kind, concurrency: concurrency, logLevel: logLevel,
                                    extraArguments: extraArguments)
        do {
            let result = try await $current.withValue(proxy) { try await body(proxy) }
            await proxy.stop()
            proxy.directory.remove()
            return result
        } catch {
            print("[\(kind) pid \(proxy.pid)] test failed: \(error)\n\(proxy.logTail())")
            await proxy.stop()
            throw error
        }
    }
}

extension Trait where Self == IssueHandlingTrait {
    /// Adds the running proxy's last log lines to the first issue recorded while it runs, so a
    /// failed `#expect` shows what Tern (or Envoy) logged.
    public static var proxyLogsOnFailure: Self {
        .compactMapIssues { issue in
            guard let proxy = TernProcess.current, proxy.claimLogsForIssue() else { return issue }
            var issue = issue
            issue.comments.append(Comment(rawValue: "\(proxy.kind) pid \(proxy.pid) logs:\n\(proxy.logTail(lines: 30))"))
            return issue
        }
    }
}
