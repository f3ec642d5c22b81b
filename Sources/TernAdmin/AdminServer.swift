import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TernCore

/// The admin listener: an HTTP/1.1 server on its own address serving Envoy's admin paths through
/// `AdminRouter`. Connections live on `group`'s loops but handlers run as Swift tasks, so a slow
/// provider call never stalls a loop. `start()` binds (port 0 allowed) and returns the bound
/// address; `shutdown()` closes the listener and every open admin connection.
public final class AdminServer: Sendable {
    private let address: SocketAddress
    private let group: any EventLoopGroup
    private let router: AdminRouter
    private let accessLog: AdminAccessLog?
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var started = false
        var stopped = false
    }

    /// - Parameters:
    ///   - address: where to listen (bootstrap `admin.address`); port 0 picks a free port.
    ///   - group: event loops for the admin connections (they do no real work on them).
    ///   - provider: the running server, read on each request.
    ///   - stats: the process's stats store, read by `/stats` and `/stats/prometheus`.
    ///   - extraRoutes: endpoints beyond Envoy's standard set (they win on a path clash).
    ///   - accessLog: called once per answered request (bootstrap `admin.access_log`).
    public init(address: SocketAddress, group: any EventLoopGroup, provider: any AdminProvider, stats: StatsStore,
                extraRoutes: [AdminRoute] = [], accessLog: AdminAccessLog? = nil,
                logger: Logger = Logger(label: "tern.admin")) {
        self.address = address
        self.group = group
        self.router = AdminRouter(provider: provider, stats: stats, extraRoutes: extraRoutes, logger: logger)
        self.accessLog = accessLog
        self.logger = logger
    }

    /// Binds and starts accepting; returns the bound address (the real port when given port 0).
    /// Throws when the address cannot be bound or the server was already started.
    @discardableResult
    public func start() async throws -> SocketAddress {
        try state.withLock { s in
            guard !s.started else { throw AdminServerError.alreadyStarted }
            s.started = true
        }
        let router = self.router
        let accessLog = self.accessLog
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 128)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [weak self] channel in
                self?.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(router: router, accessLog: accessLog))
                }
            }
        let listener = try await bootstrap.bind(to: address).get()
        let stoppedMeanwhile = state.withLock { s in
            s.listener = listener
            return s.stopped
        }
        if stoppedMeanwhile {
            try? await listener.close().get()
            throw AdminServerError.stopped
        }
        let bound = listener.localAddress ?? address
        logger.info("admin address: \(Self.envoyString(bound))")
        return bound
    }

    /// The bound address once `start()` returned, nil before and after shutdown.
    public var localAddress: SocketAddress? {
        state.withLock { $0.listener?.localAddress }
    }

    /// Stops accepting and closes every admin connection; waits for the listener to close.
    public func shutdown() async {
        let (listener, connections) = state.withLock { s in
            s.stopped = true
            let taken = (s.listener, Array(s.connections.values))
            s.listener = nil
            s.connections = [:]
            return taken
        }
        for connection in connections { connection.close(promise: nil) }
        if let listener {
            try? await listener.close().get()
        }
    }

    /// Envoy's spelling of an address: `127.0.0.1:9901`, `[::1]:9901`, or a pipe path.
    static func envoyString(_ address: SocketAddress) -> String {
        switch address {
        case .v4: "\(address.ipAddress ?? ""):\(address.port ?? 0)"
        case .v6: "[\(address.ipAddress ?? "")]:\(address.port ?? 0)"
        case .unixDomainSocket: address.pathname ?? ""
        }
    }

    /// Remembers an accepted connection until it closes, so `shutdown()` can close it.
    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let accepted = state.withLock { s in
            guard !s.stopped else { return false }
            s.connections[id] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.state.withLock { $0.connections.removeValue(forKey: id) }
        }
    }
}

/// Why `AdminServer.start()` refused to start.
public enum AdminServerError: Error, Sendable {
    case alreadyStarted
    case stopped
}
