// Bootstrap YAML for tests of HTTP filters: listener "ingress" with a chosen `http_filters` list
// ahead of the router, and one STATIC cluster "svc".

import Foundation

/// Listener "ingress" (stat prefix "ingress") with the given `http_filters` before the router.
public enum FilterChainConfig {
    /// `httpFilters` is a YAML list of filter entries (without the router); `virtualHosts` a YAML list.
    public static func bootstrap(upstreamPort: Int, httpFilters: String, virtualHosts: String, hcmExtra: String = "") -> String {
        let listener = """
            - name: ingress
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              filter_chains:
              - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: ingress
            \(EnvoyConfig.indent(hcmExtra, 8))
                    route_config:
                      name: local_route
                      virtual_hosts:
            \(EnvoyConfig.indent(virtualHosts, 10))
                    http_filters:
            \(EnvoyConfig.indent(httpFilters, 8))
                    - name: envoy.filters.http.router
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
            """
        return EnvoyConfig.bootstrap(listeners: [listener], clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstreamPort)])
    }

    /// A fault filter entry whose `HTTPFault` body is `fault` (YAML at column 0).
    public static func faultFilter(_ fault: String) -> String {
        """
        - name: envoy.filters.http.fault
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
        \(EnvoyConfig.indent(fault, 4))
        """
    }
}
