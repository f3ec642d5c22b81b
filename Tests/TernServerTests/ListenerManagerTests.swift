import Foundation
import NIOCore
import NIOPosix
import Testing
import TernCore
@testable import TernServer

/// The listener manager binds real sockets: one per worker with SO_REUSEPORT.
@Suite struct ListenerManagerTests {
    @Test func bindsPortZeroOnEveryWorkerWithReusePort() async throws {
        let pool = try await WorkerPool.start(concurrency: 2)
        let stats = StatsStore(workers: 2)
        let manager = ListenerManager(pool: pool, stats: stats, drainTime: .seconds(5), drainStrategy: .immediate)
        var clients: [LineClient] = []
        do {
            let snapshot = try Configs.compile(Configs.bootstrap(listeners: [Configs.greeterListener(name: "g")]), stats: stats)
            let report = await manager.apply(snapshot.listeners)
            #expect(report.added == ["g"])
            #expect(report.failures.isEmpty)

            let addresses = manager.boundAddresses(of: "g")
            let address = try #require(addresses.first)
            #expect(addresses.count == 1)
            #expect(address.port != 0)
            let sockets = try #require(manager.activeListeners.first).serverChannels
            #expect(sockets.count == 2)
            #expect(sockets.allSatisfy { $0.localAddress?.port == address.port })
            #expect(sockets[0].eventLoop !== sockets[1].eventLoop)
            for socket in sockets {
                let reuse = try await socket.getOption(ReusePort.option).get()
                #expect(reuse != 0)
            }

            for _ in 0..<8 {
                clients.append(try await LineClient.connect(to: address, group: MultiThreadedEventLoopGroup.singleton))
            }
            let greeted = await eventually { clients.allSatisfy { $0.text.hasPrefix("hello main ") } }
            #expect(greeted)
            #expect(Configs.stat("listener.127.0.0.1_0.downstream_cx_total", in: stats) == 8)
            #expect(Configs.stat("listener.127.0.0.1_0.downstream_cx_active", in: stats) == 8)
            #expect(Configs.stat("listener_manager.listener_create_success", in: stats) == 1)
            #expect(Configs.stat("listener_manager.total_listeners_active", in: stats) == 1)
            #expect(Configs.stat("listener_manager.workers_started", in: stats) == 1)
        } catch {
            Issue.record(error)
        }
        for client in clients { await client.close() }
        await manager.stopAccepting()
        await manager.closeAllConnections()
        try await pool.shutdown()
    }

    @Test func withoutReusePortOneSocketServesEveryWorker() async throws {
        let pool = try await WorkerPool.start(concurrency: 2)
        let stats = StatsStore(workers: 2)
        let manager = ListenerManager(pool: pool, stats: stats, drainTime: .seconds(5), drainStrategy: .immediate)
        var clients: [LineClient] = []
        do {
            let listener = Configs.greeterListener(name: "g", extra: "    enable_reuse_port: false")
            let snapshot = try Configs.compile(Configs.bootstrap(listeners: [listener]), stats: stats)
            _ = await manager.apply(snapshot.listeners)
            let address = try #require(manager.boundAddresses(of: "g").first)
            #expect(try #require(manager.activeListeners.first).serverChannels.count == 1)
            for _ in 0..<4 {
                clients.append(try await LineClient.connect(to: address, group: MultiThreadedEventLoopGroup.singleton))
            }
            // Accepted on one loop, handed to the workers in turn.
            #expect(await eventually { clients.allSatisfy { $0.text.hasPrefix("hello main ") } })
            let workers = Set(clients.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").last })
            #expect(workers == ["0", "1"])
        } catch {
            Issue.record(error)
        }
        for client in clients { await client.close() }
        await manager.stopAccepting()
        await manager.closeAllConnections()
        try await pool.shutdown()
    }

    @Test func removedListenerStopsAcceptingAndDrains() async throws {
        let pool = try await WorkerPool.start(concurrency: 1)
        let stats = StatsStore(workers: 1)
        let manager = ListenerManager(pool: pool, stats: stats, drainTime: .seconds(30), drainStrategy: .immediate)
        do {
            let snapshot = try Configs.compile(Configs.bootstrap(listeners: [Configs.greeterListener(name: "g")]), stats: stats)
            _ = await manager.apply(snapshot.listeners)
            let address = try #require(manager.boundAddresses(of: "g").first)
            let client = try await LineClient.connect(to: address, group: MultiThreadedEventLoopGroup.singleton)
            #expect(await eventually { client.text == "hello main 0\n" })

            let report = await manager.apply([])
            #expect(report.removed == ["g"])
            // The open connection is told to drain (the greeter answers and closes) ...
            #expect(await eventually { client.isClosed && client.text.hasSuffix("draining\n") })
            // ... and the port no longer accepts.
            let refused = await eventually { await !LineClient.greeterAnswers(at: address) }
            #expect(refused)
            #expect(Configs.stat("listener_manager.listener_removed", in: stats) == 1)
            #expect(Configs.stat("listener_manager.total_listeners_active", in: stats) == 0)
        } catch {
            Issue.record(error)
        }
        await manager.closeAllConnections()
        try await pool.shutdown()
    }
}
