import TernConfig
import TernNetwork
import TernUpstream

/// One compiled bootstrap: everything the server runs, immutable and `Sendable`. A reload
/// compiles a new Snapshot next to the running one and applies it only if compiling succeeded.
public struct Snapshot: Sendable {
    /// `static_resources.clusters`, in config order.
    public let clusters: [ClusterConfig]
    /// `static_resources.listeners`, in config order.
    public let listeners: [ListenerConfig]
    /// The admin listener, when the bootstrap has `admin.address`.
    public let admin: AdminConfig?
    /// `node`, after the `--service-*` overrides.
    public let node: NodeInfo
    /// Everything accepted but not fully honoured, each naming its field path.
    public let warnings: [CompileWarning]
    /// The source proto (for `/config_dump`).
    package let bootstrap: Envoy_Config_Bootstrap_V3_Bootstrap

    package init(clusters: [ClusterConfig], listeners: [ListenerConfig], admin: AdminConfig?, node: NodeInfo,
                 warnings: [CompileWarning], bootstrap: Envoy_Config_Bootstrap_V3_Bootstrap) {
        self.clusters = clusters
        self.listeners = listeners
        self.admin = admin
        self.node = node
        self.warnings = warnings
        self.bootstrap = bootstrap
    }

    /// The listener named `name`.
    public func listener(named name: String) -> ListenerConfig? {
        listeners.first { $0.name == name }
    }

    /// The cluster named `name`.
    public func cluster(named name: String) -> ClusterConfig? {
        clusters.first { $0.name == name }
    }
}
