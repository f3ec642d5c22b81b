import NIOCore
import TernNetwork

/// What TernServer keeps per event loop: the `Worker` that filters see, and the connections
/// accepted on it. Loop-confined; reached through `NIOLoopBound` from the `WorkerPool`.
final class WorkerContext {
    let worker: Worker
    let connections: ConnectionTracker

    init(worker: Worker) {
        self.worker = worker
        self.connections = ConnectionTracker(eventLoop: worker.eventLoop)
    }
}
