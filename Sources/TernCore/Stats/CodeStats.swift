/// Envoy's per-response-code counters for one scope: `<prefix>rq_2xx` (class) and `<prefix>rq_200`
/// (exact code, made the first time a worker sees the code and cached per worker).
public final class CodeStats: @unchecked Sendable {
    private let scope: StatScope
    private let prefix: String
    private let classes: [Counter]
    /// `classes` unretained, so that counting does not retain and release the counter (the
    /// array above and the store keep them).
    private let classRefs: UnsafeMutablePointer<Unmanaged<Counter>>
    /// `exact[worker][code - 100]`, unretained (the store keeps every counter it made); each
    /// worker touches only its own row.
    private let exact: UnsafeMutablePointer<Unmanaged<Counter>?>
    private let workers: Int
    private static let codes = 500

    private let exactCodes: Bool

    /// `prefix` is e.g. `upstream_rq_` or `downstream_rq_`; `exactCodes` adds `<prefix>200` style
    /// counters (clusters have them, connection managers only the classes).
    public init(scope: StatScope, prefix: String, exactCodes: Bool = true) {
        self.scope = scope
        self.exactCodes = exactCodes
        self.prefix = prefix
        self.classes = (1...5).map {
            scope.counter("\(prefix)\($0)xx", extracted: "\(prefix)xx", tag: StatTag("envoy_response_code_class", "\($0)"))
        }
        self.classRefs = .allocate(capacity: 5)
        classRefs.initialize(from: classes.map { Unmanaged.passUnretained($0) }, count: 5)
        self.workers = scope.store.workers + 1
        self.exact = .allocate(capacity: workers * Self.codes)
        exact.initialize(repeating: nil, count: workers * Self.codes)
    }

    deinit {
        classRefs.deallocate()
        exact.deallocate()
    }

    /// Counts one response with `code` on worker `worker`.
    public func record(_ code: Int, worker: Int) {
        guard code >= 100, code < 600 else { return }
        classRefs[code / 100 - 1]._withUnsafeGuaranteedRef { $0.inc(worker: worker) }
        guard exactCodes else { return }
        guard worker < workers - 1 else {
            // Not a worker: threads share no cache row; the store's lookup (a lock) is fine here.
            exactCounter(code).inc(worker: worker)
            return
        }
        let slot = exact + worker * Self.codes + (code - 100)
        if let c = slot.pointee {
            c._withUnsafeGuaranteedRef { $0.inc(worker: worker) }
        } else {
            let c = exactCounter(code)
            slot.pointee = Unmanaged.passUnretained(c)
            c.inc(worker: worker)
        }
    }

    private func exactCounter(_ code: Int) -> Counter {
        scope.counter("\(prefix)\(code)", extracted: String(prefix.dropLast()), tag: StatTag("envoy_response_code", "\(code)"))
    }
}
