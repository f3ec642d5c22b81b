import Foundation
import NIOConcurrencyHelpers

/// `--watch`: notices when the config file changes, by polling its modification time, size and
/// inode (a Kubernetes ConfigMap update swaps a symlink, which stat follows). A change is reported
/// once the file has looked the same on two consecutive polls, so a file still being written is
/// not read half-way (debounce).
final class ConfigWatcher: Sendable {
    /// What a poll sees of the file; nil fields when it cannot be read.
    struct Stamp: Equatable {
        var modified: timespec?
        var size: Int64?
        var inode: UInt64?

        static func == (a: Stamp, b: Stamp) -> Bool {
            a.size == b.size && a.inode == b.inode
                && a.modified?.tv_sec == b.modified?.tv_sec && a.modified?.tv_nsec == b.modified?.tv_nsec
        }
    }

    /// The version last loaded and the one seen at the previous poll.
    private struct State {
        var loaded: Stamp
        var lastSeen: Stamp
    }

    let path: String
    private let state: NIOLockedValueBox<State>

    /// Starts from the file as it is now (the config just loaded).
    init(path: String) {
        self.path = path
        let now = Self.stamp(path)
        state = NIOLockedValueBox(State(loaded: now, lastSeen: now))
    }

    /// One poll: true when the file differs from the last loaded version and has been stable
    /// since the previous poll. The new version counts as loaded from then on.
    func changed() -> Bool {
        let now = Self.stamp(path)
        return state.withLockedValue { s in
            defer { s.lastSeen = now }
            guard now != s.loaded, now == s.lastSeen, now.size != nil else { return false }
            s.loaded = now
            return true
        }
    }

    static func stamp(_ path: String) -> Stamp {
        var st = stat()
        guard stat(path, &st) == 0 else { return Stamp() }
        return Stamp(modified: st.st_mtim, size: Int64(st.st_size), inode: UInt64(st.st_ino))
    }
}
