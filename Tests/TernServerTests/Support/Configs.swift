import TernConfig
import TernCore
@testable import TernServer

/// YAML builders and compile helpers for the compiler tests.
enum Configs {
    /// Extensions for tests: the built-in ones plus `test.greeter`.
    static var extensions: ExtensionSet {
        ExtensionSet(networkFilters: BuiltinNetworkFilters.all + [GreeterFactory.registration],
                     otherConfigTypes: ExtensionSet.builtin.otherConfigTypes)
    }

    static func compile(_ yaml: String, extensions: ExtensionSet = Configs.extensions,
                        stats: StatsStore = StatsStore(workers: 1)) throws -> Snapshot {
        let loader = SnapshotLoader(compiler: BootstrapCompiler(extensions: extensions), configPath: nil, configYAML: yaml)
        return try loader.load(stats: stats)
    }

    /// The value of the counter or gauge with this flat name, nil when it was never made.
    static func stat(_ name: String, in stats: StatsStore) -> Int64? {
        let all = stats.all()
        if let c = all.counters.first(where: { $0.name.flat == name }) { return Int64(c.value) }
        return all.gauges.first { $0.name.flat == name }?.value
    }

    /// The compile error for `yaml`, or nil when it compiles.
    static func error(_ yaml: String, extensions: ExtensionSet = Configs.extensions) -> CompileError? {
        do {
            _ = try compile(yaml, extensions: extensions)
            return nil
        } catch let error as CompileError {
            return error
        } catch {
            return CompileError("?", "\(error)")
        }
    }

    /// A `test.greeter` listener.
    static func greeterListener(name: String, address: String = "127.0.0.1", port: Int = 0, greeting: String = "hello",
                                chainName: String = "main", extra: String = "") -> String {
        """
          - name: \(name)
            address:
              socket_address: { address: \(address), port_value: \(port) }
        \(extra)
            filter_chains:
            - name: \(chainName)
              filters:
              - name: test.greeter
                typed_config:
                  "@type": type.googleapis.com/google.protobuf.StringValue
                  value: \(greeting)
        """
    }

    /// A tcp_proxy listener to `cluster`.
    static func tcpProxyListener(name: String, port: Int = 0, cluster: String) -> String {
        """
          - name: \(name)
            address:
              socket_address: { address: 127.0.0.1, port_value: \(port) }
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: \(name)
                  cluster: \(cluster)
        """
    }

    /// A STATIC cluster with one endpoint.
    static func staticCluster(name: String, port: Int = 8080) -> String {
        """
          - name: \(name)
            connect_timeout: 0.25s
            type: STATIC
            load_assignment:
              cluster_name: \(name)
              endpoints:
              - lb_endpoints:
                - endpoint:
                    address:
                      socket_address: { address: 127.0.0.1, port_value: \(port) }
        """
    }

    static func bootstrap(listeners: [String], clusters: [String] = [], admin: Bool = false) -> String {
        var out = ""
        if admin {
            out += "admin:\n  address:\n    socket_address: { address: 127.0.0.1, port_value: 0 }\n"
        }
        out += "static_resources:\n"
        out += listeners.isEmpty ? "  listeners: []\n" : "  listeners:\n" + listeners.joined(separator: "\n") + "\n"
        out += clusters.isEmpty ? "  clusters: []\n" : "  clusters:\n" + clusters.joined(separator: "\n") + "\n"
        return out
    }
}
