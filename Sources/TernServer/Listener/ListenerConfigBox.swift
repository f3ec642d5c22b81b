import Atomics
import TernNetwork

/// The current config of one running listener, read by every accept on every worker with one
/// atomic load (no lock). An in-place filter-chain update stores a new config with the next
/// generation; connections remember the generation they were accepted under, so the update
/// can drain exactly the connections that run the old chains.
final class ListenerConfigBox: Sendable {
    /// One published config. Immutable.
    final class Current: AtomicReference, Sendable {
        let config: ListenerConfig
        let generation: Int
        init(config: ListenerConfig, generation: Int) {
            self.config = config
            self.generation = generation
        }
    }

    private let current: ManagedAtomic<Current>

    init(_ config: ListenerConfig) {
        current = ManagedAtomic(Current(config: config, generation: 0))
    }

    /// The config and generation now.
    func load() -> Current { current.load(ordering: .acquiring) }

    /// Publishes `config`; returns its generation. Only the control plane stores, one at a time.
    @discardableResult
    func store(_ config: ListenerConfig) -> Int {
        let next = Current(config: config, generation: load().generation + 1)
        current.store(next, ordering: .releasing)
        return next.generation
    }
}
