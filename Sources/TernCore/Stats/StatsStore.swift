import NIOConcurrencyHelpers

/// Every stat of the process, by Envoy name. Stats are made when config is compiled (or, rarely,
/// the first time a response code is seen) and live for the process, so a reload that recompiles
/// a cluster keeps its counters. Making a stat takes a lock; using one never does.
public final class StatsStore: Sendable {
    /// Number of event-loop workers; each stat has one slot per worker plus a shared one.
    public let workers: Int
    private let state = NIOLockedValueBox(State())

    private struct State {
        var counters: [String: Counter] = [:]
        var gauges: [String: Gauge] = [:]
    }

    public init(workers: Int) {
        self.workers = max(1, workers)
    }

    /// The counter with this name, made on first use.
    public func counter(_ name: StatName) -> Counter {
        state.withLockedValue { s in
            if let c = s.counters[name.flat] { return c }
            let c = Counter(name: name, workers: workers)
            s.counters[name.flat] = c
            return c
        }
    }

    /// The gauge with this name, made on first use.
    public func gauge(_ name: StatName) -> Gauge {
        state.withLockedValue { s in
            if let g = s.gauges[name.flat] { return g }
            let g = Gauge(name: name, workers: workers)
            s.gauges[name.flat] = g
            return g
        }
    }

    /// The root scope (no prefix, no tags).
    public var root: StatScope { StatScope(store: self, flatPrefix: "", extractedPrefix: "", tags: []) }

    /// All counters and gauges, sorted by flat name, for the admin API.
    public func all() -> (counters: [Counter], gauges: [Gauge]) {
        state.withLockedValue { s in
            (s.counters.values.sorted { $0.name.flat < $1.name.flat },
             s.gauges.values.sorted { $0.name.flat < $1.name.flat })
        }
    }
}
