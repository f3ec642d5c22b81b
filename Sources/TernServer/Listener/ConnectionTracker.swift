import NIOCore
import TernNetwork

/// The downstream connections open on one worker, so that listeners being removed or updated,
/// and the server shutting down, can drain them and later force-close what is left.
/// Loop-confined: only the worker's event loop touches it.
final class ConnectionTracker {
    /// One open connection and where it came from.
    struct Entry {
        let connection: DownstreamConnection
        let channel: any Channel
        /// The `ActiveListener.id` that accepted it.
        let listenerID: Int
        /// The listener config generation it was accepted under.
        let generation: Int
    }

    private var entries: [ObjectIdentifier: Entry] = [:]
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    var count: Int { entries.count }

    func count(listenerID: Int) -> Int {
        entries.values.reduce(0) { $0 + ($1.listenerID == listenerID ? 1 : 0) }
    }

    func add(_ entry: Entry) {
        entries[ObjectIdentifier(entry.channel)] = entry
    }

    func remove(_ channel: any Channel) {
        entries[ObjectIdentifier(channel)] = nil
    }

    /// Starts draining every connection that `matches` (`DownstreamConnection.drain()`: terminal
    /// filters close at the next request boundary), spread over `window` as `strategy` says; when
    /// `forceClose` is set, whichever of them is still open after `window` is closed.
    func drain(strategy: DrainStrategy, window: TimeAmount, forceClose: Bool, where matches: (Entry) -> Bool) {
        let chosen = entries.values.filter(matches)
        guard !chosen.isEmpty else { return }
        let loop = eventLoop.assumeIsolated()
        for entry in chosen {
            let delay = strategy.delay(within: window)
            if delay == .zero {
                entry.connection.drain()
            } else {
                let key = ObjectIdentifier(entry.channel)
                loop.scheduleTask(in: delay) { self.entries[key]?.connection.drain() }
            }
        }
        guard forceClose else { return }
        let keys = chosen.map { ObjectIdentifier($0.channel) }
        loop.scheduleTask(in: window) {
            for key in keys {
                self.entries[key]?.channel.close(promise: nil)
            }
        }
    }

    /// Closes every connection now (the end of a shutdown).
    func closeAll() {
        for entry in entries.values { entry.channel.close(promise: nil) }
    }
}
