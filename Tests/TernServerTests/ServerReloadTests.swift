import NIOCore
import NIOPosix
import Testing
@testable import TernServer

/// Reloads against real sockets: unchanged listeners keep their sockets and connections,
/// changed ones are rebound or updated in place, and a bad config changes nothing.
@Suite struct ServerReloadTests {
    static func config(moveExtra: String = "", chain: String = "main") -> String {
        Configs.bootstrap(listeners: [
            Configs.greeterListener(name: "keep"),
            Configs.greeterListener(name: "move", chainName: chain, extra: moveExtra),
        ])
    }

    @Test func keepsUnchangedListenerAndRebindsChangedOne() async throws {
        let h = try await ServerHarness.start(Self.config())
        do {
            let keep = try h.address("keep")
            let move = try h.address("move")
            let kept = try await h.connect(keep)
            let moved = try await h.connect(move)
            #expect(await eventually { kept.text == "hello main 0\n" && moved.text == "hello main 0\n" })

            // A socket-level change (buffer limit) on `move` only.
            try h.write(Self.config(moveExtra: "    per_connection_buffer_limit_bytes: 65536"))
            let result = await h.server.reload()
            guard case .applied(let report) = result else {
                Issue.record("reload not applied: \(result)")
                await h.stop()
                return
            }
            #expect(report.unchanged == ["keep"])
            #expect(report.replaced == ["move"])
            #expect(try h.address("keep") == keep)
            let newMove = try h.address("move")
            #expect(newMove.port != move.port)

            // The old `move` connection drains; the `keep` one is untouched.
            #expect(await eventually { moved.isClosed && moved.text.hasSuffix("draining\n") })
            #expect(!kept.isClosed)
            #expect(kept.text == "hello main 0\n")
            // The old port is closed, the new one serves, the kept one still serves.
            #expect(await eventually { await !LineClient.greeterAnswers(at: move) })
            let fresh = try await h.connect(newMove)
            #expect(await eventually { fresh.text == "hello main 0\n" })
            let again = try await h.connect(keep)
            #expect(await eventually { again.text == "hello main 0\n" })
            #expect(h.stat("listener_manager.listener_modified") == 1)
            #expect(h.stat("tern.config_reload.success") == 1)
        } catch {
            Issue.record(error)
        }
        await h.stop()
    }

    @Test func updatesFilterChainsInPlace() async throws {
        let h = try await ServerHarness.start(Self.config())
        do {
            let move = try h.address("move")
            let old = try await h.connect(move)
            #expect(await eventually { old.text == "hello main 0\n" })

            try h.write(Self.config(chain: "v2"))
            let result = await h.server.reload()
            guard case .applied(let report) = result else {
                Issue.record("reload not applied: \(result)")
                await h.stop()
                return
            }
            #expect(report.updatedInPlace == ["move"])
            #expect(report.unchanged == ["keep"])
            #expect(try h.address("move") == move)
            #expect(await eventually { old.isClosed && old.text.hasSuffix("draining\n") })
            let new = try await h.connect(move)
            #expect(await eventually { new.text == "hello v2 0\n" })
            #expect(!new.isClosed)
            #expect(h.stat("listener_manager.listener_in_place_updated") == 1)
        } catch {
            Issue.record(error)
        }
        await h.stop()
    }

    @Test func rejectedReloadKeepsRunningConfig() async throws {
        let h = try await ServerHarness.start(Self.config())
        do {
            let keep = try h.address("keep")
            try h.write(Configs.bootstrap(listeners: [Configs.greeterListener(name: "keep"),
                                                      Configs.greeterListener(name: "keep")]))
            let result = await h.server.reload()
            guard case .rejected(let message) = result else {
                Issue.record("reload not rejected: \(result)")
                await h.stop()
                return
            }
            #expect(message.contains("static_resources.listeners[1].name"))
            #expect(h.stat("tern.config_reload.failure") == 1)
            #expect(try h.address("keep") == keep)
            let client = try await h.connect(keep)
            #expect(await eventually { client.text == "hello main 0\n" })
            #expect(h.server.snapshot?.listeners.map(\.name) == ["keep", "move"])
        } catch {
            Issue.record(error)
        }
        await h.stop()
    }

    @Test func gracefulShutdownDrainsAndExits() async throws {
        let h = try await ServerHarness.start(Self.config(), drainSeconds: 60)
        let client = try await h.connect(try h.address("keep"))
        #expect(await eventually { client.text == "hello main 0\n" })
        #expect(h.server.state == .live)
        // The greeter closes on drain, so shutdown ends long before the 60 s drain time.
        let started = ContinuousClock.now
        await h.server.shutdown(graceful: true)
        #expect(await h.server.waitForExit() == 0)
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(client.text.hasSuffix("draining\n"))
        #expect(h.server.state == .draining)
        await h.stop()
    }
}
