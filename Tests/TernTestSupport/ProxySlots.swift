// Bounds how many proxies the suite runs at once.
//
// swift-testing runs every test concurrently, and an integration test spends most of its time
// awaiting, so without a bound all of them would start a proxy in the same second on a 2-core
// machine and time each other out. A test holds one slot for the life of its proxy.

/// A counting semaphore for async code.
public actor ProxySlots {
    /// The suite-wide limit: at most this many Tern or Envoy processes run at once.
    public static let shared = ProxySlots(limit: 3)

    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) {
        free = limit
    }

    /// Waits for a free slot and takes it.
    public func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Gives a slot back, handing it straight to the longest waiter if there is one.
    public func release() {
        if waiters.isEmpty {
            free += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
