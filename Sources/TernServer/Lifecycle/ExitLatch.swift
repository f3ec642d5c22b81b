import NIOConcurrencyHelpers

/// Set once with the process exit code when the server has stopped; any number of tasks wait
/// for it.
final class ExitLatch: Sendable {
    /// The code once set, and who waits for it.
    private struct State {
        var code: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    /// The code, once set.
    var code: Int32? { state.withLockedValue { $0.code } }

    /// Sets the code (the first call wins) and wakes every waiter.
    func open(_ code: Int32) {
        let waiters = state.withLockedValue { s -> [CheckedContinuation<Int32, Never>] in
            guard s.code == nil else { return [] }
            s.code = code
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume(returning: code) }
    }

    /// Waits for the code.
    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let ready = state.withLockedValue { s -> Int32? in
                if let code = s.code { return code }
                s.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
