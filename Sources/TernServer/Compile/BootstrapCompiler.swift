import NIOCore
import TernConfig
import TernCore
import TernNetwork
import TernUpstream

/// Turns a loaded `Bootstrap` into a `Snapshot`: clusters first (listeners' filters check the
/// cluster names they route to), then listeners, admin and node. Every error is a `CompileError`
/// naming the field path (`static_resources.listeners[1].name`); compiling has no side effects
/// beyond making stats, so a failed reload leaves the running config untouched.
public struct BootstrapCompiler: Sendable {
    public let extensions: ExtensionSet
    /// `--service-node`, `--service-cluster`, `--service-zone`: override `node` as in Envoy.
    public var serviceNode: String?
    public var serviceCluster: String?
    public var serviceZone: String?

    public init(extensions: ExtensionSet = .builtin) {
        self.extensions = extensions
        extensions.registerAnyTypes()
    }

    /// Compiles `bootstrap`, making stats in `stats`. `warnings` from loading are carried over.
    package func compile(_ bootstrap: Envoy_Config_Bootstrap_V3_Bootstrap, stats: StatsStore,
                         loadWarnings: [CompileWarning] = []) throws -> Snapshot {
        let resources = bootstrap.staticResources
        let clusterNames = try checkClusterNames(resources.clusters)
        let context = CompileContext(stats: stats, clusterNames: clusterNames)
        warnUnimplemented(bootstrap, context: context)

        let clusterCompiler = ClusterCompiler(context: context, hasDynamicResources: bootstrap.hasDynamicResources)
        let clusters = try resources.clusters.enumerated().map { i, c in
            try clusterCompiler.compile(c, path: "static_resources.clusters[\(i)]")
        }
        let listeners = try compileListeners(resources.listeners, context: context)
        // The compiler's warning for a path says more than the loader's generic one; keep one.
        let compiled = Set(context.warnings.map(\.path))
        let warnings = loadWarnings.filter { !compiled.contains($0.path) } + context.warnings
        return Snapshot(clusters: clusters, listeners: listeners, admin: try admin(bootstrap),
                        node: node(bootstrap.node), warnings: warnings, bootstrap: bootstrap)
    }

    // MARK: - parts

    private func checkClusterNames(_ clusters: [Envoy_Config_Cluster_V3_Cluster]) throws -> Set<String> {
        var names = Set<String>()
        for (i, c) in clusters.enumerated() {
            let path = "static_resources.clusters[\(i)].name"
            guard !c.name.isEmpty else { throw CompileError(path, "a cluster name is required") }
            guard names.insert(c.name).inserted else {
                throw CompileError(path, "duplicate cluster name '\(c.name)'")
            }
        }
        return names
    }

    private func compileListeners(_ protos: [Envoy_Config_Listener_V3_Listener],
                                  context: CompileContext) throws -> [ListenerConfig] {
        let compiler = ListenerCompiler(context: context, extensions: extensions)
        var out: [ListenerConfig] = []
        var byAddress: [SocketAddress: String] = [:]
        for (i, proto) in protos.enumerated() {
            let path = "static_resources.listeners[\(i)]"
            // Names first: a duplicate is reported as such even when the addresses also clash.
            if !proto.name.isEmpty, out.contains(where: { $0.name == proto.name }) {
                throw CompileError("\(path).name", "duplicate listener name '\(proto.name)'")
            }
            let listener = try compiler.compile(proto, path: path) { name in out.contains { $0.name == name } }
            if out.contains(where: { $0.name == listener.name }) {
                throw CompileError("\(path).name", "duplicate listener name '\(listener.name)'")
            }
            for (j, address) in listener.addresses.enumerated() where address.port != 0 {
                let p = j == 0 ? "\(path).address" : "\(path).additional_addresses[\(j - 1)].address"
                if let other = byAddress[address] {
                    throw CompileError(p, "listener '\(listener.name)' has the same address as listener '\(other)' "
                                       + "(\(AddressCompiler.text(address)))")
                }
                byAddress[address] = listener.name
            }
            out.append(listener)
        }
        return out
    }

    private func admin(_ b: Envoy_Config_Bootstrap_V3_Bootstrap) throws -> AdminConfig? {
        guard b.hasAdmin, b.admin.hasAddress else { return nil }
        let address = try AddressCompiler.bindAddress(b.admin.address, path: "admin.address")
        return AdminConfig(address: address, accessLogPath: b.admin.accessLogPath)
    }

    private func node(_ n: Envoy_Config_Core_V3_Node) -> NodeInfo {
        NodeInfo(id: serviceNode ?? n.id, cluster: serviceCluster ?? n.cluster, zone: serviceZone ?? n.locality.zone)
    }

    private func warnUnimplemented(_ b: Envoy_Config_Bootstrap_V3_Bootstrap, context: CompileContext) {
        if b.hasDynamicResources {
            context.warn("dynamic_resources", "xDS is not implemented by Tern yet; only static_resources are served")
        }
        if b.hasAdmin {
            if !b.admin.accessLog.isEmpty {
                context.warn("admin.access_log", "not implemented by Tern yet; ignored")
            }
            if !b.admin.socketOptions.isEmpty {
                context.warn("admin.socket_options", "not implemented by Tern yet; ignored")
            }
        }
        if b.hasLayeredRuntime {
            context.warn("layered_runtime", "runtime is not implemented by Tern yet; ignored")
        }
        if b.hasStatsConfig {
            context.warn("stats_config", "not implemented by Tern yet; stats keep Envoy's default names and tags")
        }
    }
}
