// Every proxy the harness started and has not yet seen exit. If the test run ends while some are
// still alive (a test threw past its cleanup), they are killed at exit rather than left behind.

import Foundation
import Synchronization

/// The process ids of running children, killed when the test process exits.
final class LiveProcesses: Sendable {
    static let shared = LiveProcesses()

    private let pids = Mutex<Set<Int32>>([])

    private init() {
        atexit {
            for pid in LiveProcesses.shared.pids.withLock({ $0 }) { kill(pid, SIGKILL) }
        }
    }

    func add(_ pid: Int32) {
        pids.withLock { _ = $0.insert(pid) }
    }

    func remove(_ pid: Int32) {
        pids.withLock { _ = $0.remove(pid) }
    }
}
