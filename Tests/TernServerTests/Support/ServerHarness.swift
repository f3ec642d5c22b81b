import Foundation
import NIOCore
import NIOPosix
@testable import TernServer

/// An in-process server on a config file in a fresh temporary directory, for reload tests.
struct ServerHarness {
    let directory: URL
    let configPath: String
    let server: Server

    /// Writes `yaml` and starts a one-worker server on it (drain time `drainSeconds`).
    static func start(_ yaml: String, drainSeconds: Int64 = 30) async throws -> ServerHarness {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tern-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("bootstrap.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        var options = ServerOptions(configPath: path, concurrency: 1)
        options.drainTime = .seconds(drainSeconds)
        options.drainStrategy = .immediate
        let server = Server(options: options, extensions: Configs.extensions)
        try await server.start()
        return ServerHarness(directory: directory, configPath: path, server: server)
    }

    /// Replaces the config file.
    func write(_ yaml: String) throws {
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func address(_ listener: String) throws -> SocketAddress {
        guard let first = server.boundAddresses(ofListener: listener).first else {
            throw HarnessError(message: "listener \(listener) is not bound")
        }
        return first
    }

    func connect(_ address: SocketAddress) async throws -> LineClient {
        try await LineClient.connect(to: address, group: MultiThreadedEventLoopGroup.singleton)
    }

    func stat(_ name: String) -> Int64? { Configs.stat(name, in: server.stats) }

    /// Stops the server and removes the directory.
    func stop() async {
        await server.shutdown(graceful: false)
        try? FileManager.default.removeItem(at: directory)
    }

    /// A harness precondition that did not hold.
    struct HarnessError: Error { let message: String }
}
