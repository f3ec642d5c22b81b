import NIOCore
import NIOPosix
import TernCore
import TernNetwork

/// The threads of one server: `concurrency` worker event loops, each with one `Worker` whose
/// index is its stat slot, and a separate one-thread group for the control plane (DNS timers,
/// admin, reloads), so control work never delays a request.
public final class WorkerPool: Sendable {
    /// The worker loops.
    public let group: MultiThreadedEventLoopGroup
    /// The control loop's group (one thread).
    public let controlGroup: MultiThreadedEventLoopGroup
    /// The worker loops in index order.
    public let eventLoops: [any EventLoop]
    let contexts: [NIOLoopBound<WorkerContext>]

    private init(group: MultiThreadedEventLoopGroup, controlGroup: MultiThreadedEventLoopGroup,
                 eventLoops: [any EventLoop], contexts: [NIOLoopBound<WorkerContext>]) {
        self.group = group
        self.controlGroup = controlGroup
        self.eventLoops = eventLoops
        self.contexts = contexts
    }

    /// Starts the loops and makes each worker on its own loop.
    public static func start(concurrency: Int, healthCheck: HealthCheckFlag = HealthCheckFlag()) async throws -> WorkerPool {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, concurrency))
        let control = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loops = Array(group.makeIterator())
        var contexts: [NIOLoopBound<WorkerContext>] = []
        for (index, loop) in loops.enumerated() {
            contexts.append(try await loop.submit {
                NIOLoopBound(WorkerContext(worker: Worker(index: index, eventLoop: loop, healthCheck: healthCheck)),
                             eventLoop: loop)
            }.get())
        }
        return WorkerPool(group: group, controlGroup: control, eventLoops: loops, contexts: contexts)
    }

    /// Number of workers.
    public var count: Int { contexts.count }

    /// The control plane's loop.
    public var controlLoop: any EventLoop { controlGroup.any() }

    /// The worker context of `loop`, when it is one of the worker loops.
    func context(for loop: any EventLoop) -> NIOLoopBound<WorkerContext>? {
        contexts.first { $0.eventLoop === loop }
    }

    /// Runs `body` on every worker's loop and collects the results in worker order.
    func onEachWorker<T: Sendable>(_ body: @escaping @Sendable (WorkerContext) -> T) -> EventLoopFuture<[T]> {
        let futures = contexts.map { bound in bound.eventLoop.submit { body(bound.value) } }
        return EventLoopFuture.whenAllSucceed(futures, on: controlLoop)
    }

    /// Open downstream connections over every worker.
    public func connectionCount() async throws -> Int {
        try await onEachWorker { $0.connections.count }.get().reduce(0, +)
    }

    /// Stops every loop.
    public func shutdown() async throws {
        try await group.shutdownGracefully()
        try await controlGroup.shutdownGracefully()
    }
}
