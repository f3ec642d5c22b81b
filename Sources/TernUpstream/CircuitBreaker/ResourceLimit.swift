import Synchronization
import TernCore

/// One circuit-breaker resource of a cluster and priority (Envoy's `ManagedResourceImpl`):
/// connections, pending requests, requests or retries. Shared by every worker, so the count is
/// an atomic and nothing takes a lock. Unlike Envoy's `canCreate()` then `inc()`, `tryAcquire`
/// is one compare-and-swap, so concurrent workers never overshoot the limit together.
public final class ResourceLimit: Sendable {
    /// The configured maximum (the effective one may be lower or higher: see `tryAcquire(max:)`).
    public let max: Int
    private let count = Atomic<Int>(0)
    private let isOpen = Atomic<Bool>(false)
    /// `circuit_breakers.<priority>.<x>_open`: 1 while the resource is exhausted.
    private let openGauge: Gauge?
    /// `circuit_breakers.<priority>.remaining_<x>` when `track_remaining` is set.
    private let remainingGauge: Gauge?

    init(max: Int, open: Gauge?, remaining: Gauge?) {
        self.max = max
        self.openGauge = open
        self.remainingGauge = remaining
        // Workers adjust their own slots from here; the shared slot carries the maximum.
        remaining?.set(Int64(max))
    }

    /// Units in use across every worker.
    public var current: Int { count.load(ordering: .relaxed) }

    /// Whether one more unit fits under `max` right now.
    public var canCreate: Bool { current < max }

    /// Takes one unit if fewer than `limit` (default: `max`) are in use.
    public func tryAcquire(worker: Int, max limit: Int? = nil) -> Bool {
        let limit = limit ?? max
        var c = count.load(ordering: .relaxed)
        while c < limit {
            let (exchanged, original) = count.compareExchange(expected: c, desired: c + 1, ordering: .relaxed)
            if exchanged {
                changed(to: c + 1, limit: limit, worker: worker, delta: -1)
                return true
            }
            c = original
        }
        updateOpen(c >= limit, worker: worker)
        return false
    }

    /// Takes one unit whatever the limit: Envoy still gives a pool with no connection at all
    /// its first one, so requests queued there can make progress.
    public func forceAcquire(worker: Int) {
        let now = count.wrappingAdd(1, ordering: .relaxed).newValue
        changed(to: now, limit: max, worker: worker, delta: -1)
    }

    /// Gives one unit back.
    public func release(worker: Int, max limit: Int? = nil) {
        let now = count.wrappingSubtract(1, ordering: .relaxed).newValue
        changed(to: now, limit: limit ?? max, worker: worker, delta: 1)
    }

    private func changed(to now: Int, limit: Int, worker: Int, delta: Int) {
        if let remainingGauge {
            if delta > 0 { remainingGauge.inc(worker: worker) } else { remainingGauge.dec(worker: worker) }
        }
        updateOpen(now >= limit, worker: worker)
    }

    /// The open gauge follows the latest transition: the exchange makes each change of state
    /// count exactly once across workers, so the summed gauge is 0 or 1.
    private func updateOpen(_ open: Bool, worker: Int) {
        guard let openGauge, isOpen.load(ordering: .relaxed) != open else { return }
        if isOpen.exchange(open, ordering: .relaxed) != open {
            if open { openGauge.inc(worker: worker) } else { openGauge.dec(worker: worker) }
        }
    }
}
