// Envoy v3 bootstrap YAML for tests, as plain string templates. Every listener binds 127.0.0.1
// port 0 and the admin listener too; tests read the real ports back from the admin API. Parts
// that vary per test (virtual hosts, routes, extra fields) are passed in as YAML written at column 0
// and indented into place, so a test reads like the Envoy config it exercises.

import Foundation

/// Builders for Envoy v3 bootstrap YAML.
public enum EnvoyConfig {
    /// A bootstrap with the admin listener on 127.0.0.1:0 and the given listeners and clusters,
    /// each a YAML list item (`- name: …`).
    public static func bootstrap(listeners: [String], clusters: [String]) -> String {
        let yaml = """
        admin:
          address:
            socket_address: { address: 127.0.0.1, port_value: 0 }
        static_resources:
          listeners:\(listeners.isEmpty ? " []" : "")
        \(indent(listeners.joined(separator: "\n"), 2))
          clusters:\(clusters.isEmpty ? " []" : "")
        \(indent(clusters.joined(separator: "\n"), 2))
        """
        // Parts left empty leave blank lines behind; drop them so the file reads cleanly.
        return yaml.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.joined(separator: "\n") + "\n"
    }

    /// A listener with an HTTP connection manager (router filter only) whose route table holds
    /// `virtualHosts` (a YAML list). `hcmExtra` adds fields to the HttpConnectionManager,
    /// `routeConfigExtra` to the RouteConfiguration.
    public static func httpListener(
        name: String = "ingress", statPrefix: String = "ingress", virtualHosts: String,
        hcmExtra: String = "", routeConfigExtra: String = ""
    ) -> String {
        """
        - name: \(name)
          address:
            socket_address: { address: 127.0.0.1, port_value: 0 }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: \(statPrefix)
        \(indent(hcmExtra, 8))
                route_config:
                  name: local_route
        \(indent(routeConfigExtra, 10))
                  virtual_hosts:
        \(indent(virtualHosts, 10))
                http_filters:
                - name: envoy.filters.http.router
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        """
    }

    /// One virtual host matching every domain, sending every path to `cluster`.
    /// `routeExtra` adds fields to the route action (e.g. `timeout: 0.5s`).
    public static func routeAll(to cluster: String, routeExtra: String = "") -> String {
        """
        - name: all
          domains: ["*"]
          routes:
          - match: { prefix: "/" }
            route:
              cluster: \(cluster)
        \(indent(routeExtra, 6))
        """
    }

    /// A STATIC round-robin cluster of 127.0.0.1 endpoints; `extra` adds cluster fields.
    public static func staticCluster(name: String, ports: [Int], extra: String = "") -> String {
        let endpoints = ports.map {
            "- endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: \($0) } } }"
        }.joined(separator: "\n")
        return """
            - name: \(name)
              type: STATIC
              connect_timeout: 1s
              load_assignment:
                cluster_name: \(name)
                endpoints:
                - lb_endpoints:
            \(indent(endpoints, 6))
            \(indent(extra, 2))
            """
    }

    /// A STATIC cluster with one endpoint.
    public static func staticCluster(name: String, port: Int, extra: String = "") -> String {
        staticCluster(name: name, ports: [port], extra: extra)
    }

    /// A listener whose only filter is tcp_proxy to `cluster`.
    public static func tcpProxyListener(name: String = "tcp", statPrefix: String = "tcp", cluster: String) -> String {
        """
        - name: \(name)
          address:
            socket_address: { address: 127.0.0.1, port_value: 0 }
          filter_chains:
          - filters:
            - name: envoy.filters.network.tcp_proxy
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                stat_prefix: \(statPrefix)
                cluster: \(cluster)
        """
    }

    /// The everyday test setup: listener "ingress" (stat prefix "ingress") routing everything to
    /// cluster "svc" at `port`.
    public static func httpProxy(to port: Int, routeExtra: String = "", hcmExtra: String = "",
                                 clusterExtra: String = "") -> String {
        bootstrap(
            listeners: [httpListener(virtualHosts: routeAll(to: "svc", routeExtra: routeExtra), hcmExtra: hcmExtra)],
            clusters: [staticCluster(name: "svc", port: port, extra: clusterExtra)])
    }

    // MARK: - Indentation

    /// `text` with every non-empty line indented by `spaces`; empty text stays empty.
    public static func indent(_ text: String, _ spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "" : pad + $0 }
            .joined(separator: "\n")
    }
}
