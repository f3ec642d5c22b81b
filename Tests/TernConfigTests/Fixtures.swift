import Foundation

/// Configuration documents shared by the TernConfig tests.
enum Fixtures {
    /// A front-proxy bootstrap in the shape of Envoy's own examples: one HTTP listener with a
    /// connection manager, a route table and the router, one DNS cluster, an admin listener.
    static let frontProxyYAML = """
        node:
          id: tern-test
          cluster: tern
        admin:
          access_log_path: /dev/null
          address:
            socket_address: { address: 127.0.0.1, port_value: 9901 }
        static_resources:
          listeners:
          - name: listener_0
            address:
              socket_address: { address: 0.0.0.0, port_value: 10000 }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: ingress_http
                  codec_type: AUTO
                  stream_idle_timeout: 300s
                  access_log:
                  - name: envoy.access_loggers.stdout
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
                  route_config:
                    name: local_route
                    virtual_hosts:
                    - name: backend
                      domains: ["*"]
                      routes:
                      - match: { prefix: "/api" }
                        route:
                          cluster: service_backend
                          timeout: 15s
                          prefix_rewrite: /
                      - match: { path: "/healthz" }
                        direct_response:
                          status: 200
                          body: { inline_string: ok }
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          clusters:
          - name: service_backend
            type: STRICT_DNS
            connect_timeout: 0.25s
            lb_policy: ROUND_ROBIN
            dns_lookup_family: V4_ONLY
            load_assignment:
              cluster_name: service_backend
              endpoints:
              - lb_endpoints:
                - endpoint:
                    address:
                      socket_address: { address: backend.local, port_value: 8080 }
                - endpoint:
                    address:
                      socket_address: { address: backend2.local, port_value: 8080 }
        """

    /// The same bootstrap as `frontProxyYAML`, written as JSON.
    static let frontProxyJSON = """
        {
          "node": {"id": "tern-test", "cluster": "tern"},
          "admin": {
            "access_log_path": "/dev/null",
            "address": {"socket_address": {"address": "127.0.0.1", "port_value": 9901}}
          },
          "static_resources": {
            "listeners": [{
              "name": "listener_0",
              "address": {"socket_address": {"address": "0.0.0.0", "port_value": 10000}},
              "filter_chains": [{
                "filters": [{
                  "name": "envoy.filters.network.http_connection_manager",
                  "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                    "stat_prefix": "ingress_http",
                    "codec_type": "AUTO",
                    "stream_idle_timeout": "300s",
                    "access_log": [{
                      "name": "envoy.access_loggers.stdout",
                      "typed_config": {"@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog"}
                    }],
                    "route_config": {
                      "name": "local_route",
                      "virtual_hosts": [{
                        "name": "backend",
                        "domains": ["*"],
                        "routes": [
                          {"match": {"prefix": "/api"},
                           "route": {"cluster": "service_backend", "timeout": "15s", "prefix_rewrite": "/"}},
                          {"match": {"path": "/healthz"},
                           "direct_response": {"status": 200, "body": {"inline_string": "ok"}}}
                        ]
                      }]
                    },
                    "http_filters": [{
                      "name": "envoy.filters.http.router",
                      "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}
                    }]
                  }
                }]
              }]
            }],
            "clusters": [{
              "name": "service_backend",
              "type": "STRICT_DNS",
              "connect_timeout": "0.25s",
              "lb_policy": "ROUND_ROBIN",
              "dns_lookup_family": "V4_ONLY",
              "load_assignment": {
                "cluster_name": "service_backend",
                "endpoints": [{"lb_endpoints": [
                  {"endpoint": {"address": {"socket_address": {"address": "backend.local", "port_value": 8080}}}},
                  {"endpoint": {"address": {"socket_address": {"address": "backend2.local", "port_value": 8080}}}}
                ]}]
              }
            }]
          }
        }
        """

    /// A listener whose connection manager carries `extra` (YAML, indented for the HCM's
    /// `typed_config` body) in place of its route configuration.
    static func listenerYAML(hcmBody extra: String) -> String {
        let indented = extra.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "          " + $0 }.joined(separator: "\n")
        return """
            static_resources:
              listeners:
              - name: l
                address: { socket_address: { address: 127.0.0.1, port_value: 8080 } }
                filter_chains:
                - filters:
                  - name: envoy.filters.network.http_connection_manager
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                      stat_prefix: h
            \(indented)
            """
    }

    /// Writes `contents` to a new temporary file with the given extension and returns its path.
    static func temporaryFile(_ contents: String, extension ext: String) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tern-config-test-\(UUID().uuidString).\(ext)")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
