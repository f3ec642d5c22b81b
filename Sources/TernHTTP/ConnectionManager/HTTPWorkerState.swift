import TernCore
import TernNetwork

/// The HTTP layer's per-worker state: the PRNG for request ids and weighted picks, the worker's
/// clock and the cached `date` header. Looked up once per connection, not per request.
final class HTTPWorkerState {
    let random = WorkerRandom()
    let clock: LoopClock
    let date: DateHeader

    init(clock: LoopClock) {
        self.clock = clock
        self.date = DateHeader(clock: clock)
    }

    /// `worker`'s state, made on first use.
    static func of(_ worker: Worker) -> HTTPWorkerState {
        worker.state(HTTPWorkerState.self) { HTTPWorkerState(clock: worker.clock) }
    }
}
