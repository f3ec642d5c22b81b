// A real HTTP/1.1 server that is not Tern: SwiftNIO's own HTTP/1 codec, in the test process, on
// 127.0.0.1 port 0. It records every request it receives and answers by a programmable behaviour.

import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An in-process HTTP/1.1 upstream for the proxy under test to forward to.
public final class UpstreamServer: Sendable {
    /// The name sent back in every response's `x-upstream-name` header and in echo bodies.
    public let name: String
    /// The port it listens on, chosen by the kernel.
    public let port: Int

    private let channel: Channel
    private let state: Mutex<State>

    private struct State {
        var behavior: UpstreamBehavior
        var requests: [RecordedRequest] = []
        var connections = 0
    }

    private init(name: String, behavior: UpstreamBehavior, channel: Channel, port: Int) {
        self.name = name
        self.channel = channel
        self.port = port
        self.state = Mutex(State(behavior: behavior))
    }

    /// Starts a server answering with `behavior`.
    public static func start(_ behavior: UpstreamBehavior = .echo, name: String = "upstream") async throws
        -> UpstreamServer
    {
        let box = ServerBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let server = box.server else { throw HarnessError("upstream not ready") }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withPipeliningAssistance: true, withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        UpstreamHandler(server: server, connection: server.connectionOpened()))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw HarnessError("upstream has no port") }
        let server = UpstreamServer(name: name, behavior: behavior, channel: channel, port: port)
        box.server = server
        return server
    }

    /// Stops listening and closes the listening socket.
    public func stop() async {
        try? await channel.close().get()
    }

    // MARK: - Behaviour and records

    /// The current behaviour; tests may change it between requests.
    public var behavior: UpstreamBehavior {
        get { state.withLock { $0.behavior } }
        set { state.withLock { $0.behavior = newValue } }
    }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// How many connections have been accepted.
    public var connectionCount: Int { state.withLock { $0.connections } }

    /// Waits (bounded) until at least `count` requests have arrived and returns them.
    public func waitForRequests(_ count: Int, timeout: Duration = .seconds(10)) async -> [RecordedRequest] {
        let deadline = ContinuousClock.now + timeout
        while requests.count < count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return requests
    }

    func connectionOpened() -> Int {
        state.withLock {
            $0.connections += 1
            return $0.connections
        }
    }

    /// Records `request` and returns how to answer it.
    func received(_ request: RecordedRequest) -> UpstreamBehavior {
        state.withLock {
            $0.requests.append(request)
            return $0.behavior
        }
    }
}

/// Lets the child-channel initializer reach the server object created after `bind` returns.
private final class ServerBox: Sendable {
    private let value = Mutex<UpstreamServer?>(nil)

    var server: UpstreamServer? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
