// Bounded waiting for a condition that becomes true by itself (a reload taking effect, a counter
// catching up). The condition is the assertion; the polling interval is only how often to look.

/// Checks `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
public func waitUntil(
    timeout: Duration = .seconds(10), interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}
