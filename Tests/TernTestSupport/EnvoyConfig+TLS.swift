// YAML for Envoy's TLS transport socket (`envoy.transport_sockets.tls`), downstream on a filter
// chain and upstream on a cluster, with certificates from `TestCertificates` by file name.

import Foundation

extension EnvoyConfig {
    /// A `transport_socket` block with a `DownstreamTlsContext` (YAML at column 0, to be indented).
    /// `validation` goes under `common_tls_context.validation_context` as is.
    public static func downstreamTLS(server: CertificatePair, alpn: [String] = [], requireClientCertificate: Bool = false,
                                     validation: String = "", tlsParams: String = "") -> String {
        """
        transport_socket:
          name: envoy.transport_sockets.tls
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
            require_client_certificate: \(requireClientCertificate)
            common_tls_context:
              alpn_protocols: [\(alpn.map { "\"\($0)\"" }.joined(separator: ", "))]
              tls_certificates:
              - certificate_chain: { filename: "\(server.certificate)" }
                private_key: { filename: "\(server.key)" }
        \(validation.isEmpty ? "" : "      validation_context:\n" + indent(validation, 8))
        \(tlsParams.isEmpty ? "" : "      tls_params:\n" + indent(tlsParams, 8))
        """
    }

    /// A cluster-level `transport_socket` block with an `UpstreamTlsContext`.
    public static func upstreamTLS(sni: String? = nil, client: CertificatePair? = nil, alpn: [String] = [],
                                   validation: String = "") -> String {
        var common = "alpn_protocols: [\(alpn.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        if let client {
            common += """
                tls_certificates:
                - certificate_chain: { filename: "\(client.certificate)" }
                  private_key: { filename: "\(client.key)" }

                """
        }
        if !validation.isEmpty { common += "validation_context:\n" + indent(validation, 2) + "\n" }
        return """
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
            \(sni.map { "    sni: \"\($0)\"" } ?? "")
                common_tls_context:
            \(indent(common, 6))
            """
    }

    /// `listenerYAML` (one `- name:` item from `httpListener`/`tcpProxyListener`) with
    /// `transportSocket` on its first filter chain.
    public static func withTransportSocket(_ listenerYAML: String, _ transportSocket: String) -> String {
        listenerYAML.replacingOccurrences(
            of: "  filter_chains:\n  - filters:",
            with: "  filter_chains:\n  - " + indent(transportSocket, 4).dropFirst(4) + "\n    filters:")
    }
}
