import Synchronization

/// Per-worker storage behind one counter or gauge: one 64-byte line per writer, so event loops
/// never share a cache line and never take a lock. Slot `i` is written only by worker `i`
/// (plain load + store), the last slot by any non-worker thread (atomic add); readers sum.
@usableFromInline
final class StatSlots: @unchecked Sendable {
    /// Words per slot: 8 × 8 bytes keeps each writer on its own cache line.
    @usableFromInline static let stride = 8
    @usableFromInline let base: UnsafeMutablePointer<Atomic<UInt64>>
    @usableFromInline let writerCount: Int

    init(workers: Int) {
        writerCount = workers + 1
        base = .allocate(capacity: writerCount * Self.stride)
        for i in 0..<(writerCount * Self.stride) {
            (base + i).initialize(to: Atomic(0))
        }
    }

    deinit {
        base.deinitialize(count: writerCount * Self.stride)
        base.deallocate()
    }


    /// Adds on the calling worker's own slot. Only worker `worker` may call this with its index.
    @inlinable @inline(__always)
    func add(_ delta: UInt64, worker: Int) {
        if worker < writerCount - 1 {
            let a = base + worker * Self.stride
            a.pointee.store(a.pointee.load(ordering: .relaxed) &+ delta, ordering: .relaxed)
        } else {
            addShared(delta)
        }
    }

    /// Adds from a thread that is not a worker (admin, control plane).
    @inlinable
    func addShared(_ delta: UInt64) {
        (base + (writerCount - 1) * Self.stride).pointee.wrappingAdd(delta, ordering: .relaxed)
    }

    /// The wrapping sum over all writers: a counter's total, or a gauge's value as two's complement.
    func sum() -> UInt64 {
        var total: UInt64 = 0
        for i in 0..<writerCount {
            total &+= (base + i * Self.stride).pointee.load(ordering: .relaxed)
        }
        return total
    }

    /// Overwrites the shared slot so that the sum becomes `value` (gauges set off the data path).
    func setShared(_ value: UInt64) {
        var others: UInt64 = 0
        for i in 0..<(writerCount - 1) {
            others &+= (base + i * Self.stride).pointee.load(ordering: .relaxed)
        }
        (base + (writerCount - 1) * Self.stride).pointee.store(value &- others, ordering: .relaxed)
    }
}
