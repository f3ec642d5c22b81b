// The process's life: a SIGTERM drain that lets a response in flight finish while new connections
// are refused, `/drain_listeners?graceful` telling keep-alive clients to go (`connection: close`),
// `/healthcheck/fail` turning `/ready` and `server.state` to DRAINING, and `--mode validate`.

import Foundation
import Testing
import TernTestSupport

@Suite("Lifecycle", .requires(.curl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct LifecycleTests {
    @Test("SIGTERM: the response in flight completes, new connections are refused, exit 0 in the drain time",
          .ternOnly)
    func sigtermDrains() async throws {
        // Envoy exits at once on SIGTERM; Tern drains first (docs/cli.md), which this checks.
        // The response takes about 1.2 s: head at once, then one chunk every 300 ms.
        let upstream = try await UpstreamServer.start(.streamed(["one ", "two ", "three ", "four"],
                                                                interval: .milliseconds(300)))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port),
                                   extraArguments: ["--drain-time-s", "10"]) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let slow = try await RawConnection.connect(port: port)
            try await slow.send("GET /slow HTTP/1.1\r\nhost: x\r\n\r\n")
            #expect(await upstream.waitForRequests(1).count == 1, "the request never reached the upstream")

            let signalled = ContinuousClock.now
            proxy.send(signal: SIGTERM)
            let refused = await waitUntil(timeout: .seconds(5)) {
                guard let probe = try? await RawConnection.connect(port: port, timeout: .seconds(1)) else { return true }
                await probe.close()
                return false
            }
            #expect(refused, "new connections were still accepted after SIGTERM")

            let read = try await slow.readResponses(1, timeout: .seconds(10))
            await slow.close()
            let response = try #require(read.responses.first, "no complete response: \(read.text)")
            #expect(response.status == 200)
            #expect(response.bodyText == "one two three four")

            let exit = await proxy.waitForExit(timeout: .seconds(12))
            #expect(exit == .exited(0), "exit: \(String(describing: exit))")
            #expect(ContinuousClock.now - signalled < .seconds(10), "took longer than --drain-time-s")
        }
        await upstream.stop()
    }

    @Test("/drain_listeners?graceful: the next response on a keep-alive connection says connection: close")
    func gracefulDrainListeners() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        // An immediate drain strategy makes every connection drain at once (gradual spreads it
        // over the drain time).
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port),
                                   extraArguments: ["--drain-time-s", "2", "--drain-strategy", "immediate"]) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let client = try await KeepAliveClient.connect(port: port)
            let before = try await client.request("GET", "/before")
            #expect(before.status == 200 && !before.closesConnection, "\(before.headers)")

            #expect(try await proxy.admin.post("/drain_listeners?graceful").status == 200)
            let after = try await client.request("GET", "/after")
            await client.close()
            #expect(after.status == 200)
            #expect(after.closesConnection, "no connection: close while draining: \(after.headers)")
            #expect(try await proxy.waitForStat("http.ingress.downstream_cx_drain_close", atLeast: 1) >= 1)

            // During the drain time the listener still accepts, and new connections drain at once.
            let during = try await KeepAliveClient.connect(port: port)
            let fresh = try await during.request("GET", "/during")
            await during.close()
            #expect(fresh.status == 200 && fresh.closesConnection, "\(fresh.headers)")

            // After the drain time the listeners stop (new connections are refused), and the
            // process keeps running: Envoy's `skip_exit` only keeps the listeners open; the
            // process never exits because of /drain_listeners.
            let stopped = await waitUntil(timeout: .seconds(10)) {
                guard let probe = try? await RawConnection.connect(port: port, timeout: .seconds(1)) else { return true }
                await probe.close()
                return false
            }
            #expect(stopped, "the listener still accepts after the drain time")
            let info = try? await proxy.admin.get("/server_info")
            #expect(info?.status == 200, "the admin listener is gone: the process exited after /drain_listeners?graceful")
            #expect(proxy.isRunning, "the process exited after /drain_listeners?graceful")
        }
        await upstream.stop()
    }

    @Test("/healthcheck/fail makes /ready 503 and server.state 1; /healthcheck/ok undoes it")
    func healthCheckFail() async throws {
        let upstream = try await UpstreamServer.start(.respond(body: "ok"))
        try await TernProcess.with(config: EnvoyConfig.httpProxy(to: upstream.port)) { proxy in
            #expect(try await proxy.stat("server.state") == 0)
            #expect(try await proxy.admin.post("/healthcheck/fail").status == 200)
            let ready = try await proxy.admin.get("/ready")
            #expect(ready.status == 503)
            #expect(ready.bodyText == "DRAINING\n", "\(ready.bodyText)")
            // Envoy refreshes the server.* gauges on its stats flush (every 5 s), so poll.
            var state = -1
            _ = try await waitUntil(timeout: .seconds(8)) {
                state = try await proxy.stat("server.state")
                return state == 1
            }
            #expect(state == 1, "server.state while the health check fails")
            #expect(try await proxy.stat("server.live") == 0)
            // Traffic still flows: failing the health check only changes what health checkers see.
            #expect(try await Curl.get(port: try await proxy.listenerPort("ingress"), "/still").status == 200)

            #expect(try await proxy.admin.post("/healthcheck/ok").status == 200)
            #expect(try await proxy.admin.get("/ready").status == 200)
            _ = try await waitUntil(timeout: .seconds(8)) {
                state = try await proxy.stat("server.state")
                return state == 0
            }
            #expect(state == 0, "server.state after /healthcheck/ok")
            #expect(try await proxy.stat("server.live") == 1)
        }
        await upstream.stop()
    }

    @Test("--mode validate accepts examples/quickstart.yaml and exits 0", .ternOnly)
    func validateQuickstart() async throws {
        let quickstart = TestEnvironment.packageRoot.appendingPathComponent("examples/quickstart.yaml")
        let output = try await ProcessRunner.run(
            try TestEnvironment.ternBinary(), ["--mode", "validate", "-c", quickstart.path], timeout: .seconds(30))
        #expect(output.exitCode == 0, "stdout: \(output.stdoutText)\nstderr: \(output.stderrText)")
        #expect(output.stdoutText.contains("configuration '\(quickstart.path)' OK"), "\(output.stdoutText)")
    }
}
