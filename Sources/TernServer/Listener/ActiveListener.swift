import Atomics
import NIOConcurrencyHelpers
import NIOCore
import TernNetwork

/// One running listener: its config box, the server sockets bound for it (one per worker per
/// address with SO_REUSEPORT) and whether it is draining. Accepts read only the box and the
/// draining flag; the sockets are touched only by the control plane.
final class ActiveListener: Sendable {
    /// Unique for the life of the process; connections are tagged with it.
    let id: Int
    let name: String
    let box: ListenerConfigBox
    /// `traffic_direction: INBOUND` (for `/drain_listeners?inboundonly`).
    let inbound: Bool
    private let draining = ManagedAtomic(false)
    private let sockets = NIOLockedValueBox(Sockets())

    /// The listening sockets and whether they were closed.
    private struct Sockets {
        var channels: [any Channel] = []
        var addresses: [SocketAddress] = []
        var stopped = false
    }

    private static let nextID = ManagedAtomic(1)

    init(config: ListenerConfig, inbound: Bool) {
        self.id = Self.nextID.loadThenWrappingIncrement(ordering: .relaxed)
        self.name = config.name
        self.box = ListenerConfigBox(config)
        self.inbound = inbound
    }

    var config: ListenerConfig { box.load().config }

    /// New connections on a draining listener start draining as soon as their filters are set up.
    var isDraining: Bool { draining.load(ordering: .relaxed) }

    func startDraining() { draining.store(true, ordering: .relaxed) }

    /// The addresses the sockets are bound to (ports filled in for port 0).
    var boundAddresses: [SocketAddress] { sockets.withLockedValue { $0.addresses } }

    /// The listening sockets (one per worker per address with SO_REUSEPORT).
    var serverChannels: [any Channel] { sockets.withLockedValue { $0.channels } }

    /// Whether the listener still accepts.
    var isAccepting: Bool { sockets.withLockedValue { !$0.stopped && !$0.channels.isEmpty } }

    /// Records the bound sockets.
    func adopt(channels: [any Channel], addresses: [SocketAddress]) {
        sockets.withLockedValue {
            $0.channels = channels
            $0.addresses = addresses
        }
    }

    /// Closes the server sockets: no new connections, accepted ones stay. Idempotent.
    func stopAccepting() async {
        let channels = sockets.withLockedValue { s -> [any Channel] in
            guard !s.stopped else { return [] }
            s.stopped = true
            return s.channels
        }
        for channel in channels {
            try? await channel.close().get()
        }
    }
}
