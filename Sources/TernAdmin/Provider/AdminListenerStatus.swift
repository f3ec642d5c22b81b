/// One active listener as `/listeners` shows it (Envoy's `envoy.admin.v3.ListenerStatus`).
public struct AdminListenerStatus: Sendable, Equatable {
    /// The listener's name.
    public var name: String
    /// Bound addresses as `ip:port` (`[v6]:port`), the real port after binding port 0. The first
    /// is `local_address`, the rest `additional_local_addresses`.
    public var localAddresses: [String]

    public init(name: String, localAddresses: [String]) {
        self.name = name
        self.localAddresses = localAddresses
    }
}
