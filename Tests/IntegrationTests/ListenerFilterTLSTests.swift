// tls_inspector in front of TLS-terminating chains: one port, one certificate per server name.
// The inspector reads the SNI, the chain for that name terminates TLS with its own certificate
// (curl checks it against the name) and its HTTP connection manager answers; a client without
// a known name gets the listener's default chain. This is the listener-filter phase handing its
// kept ClientHello bytes to a transport socket added after it.

import Foundation
import Testing
import TernTestSupport

@Suite("Listener filters: tls_inspector with TLS termination", .requires(.curl, .openssl), .timeLimit(.minutes(3)),
       .proxyLogsOnFailure)
struct ListenerFilterTLSTests {
    /// A `FilterChain` (a YAML mapping at column 0) for `names`, terminating TLS with
    /// `certificate` and answering `body` to everything.
    static func chain(_ name: String, names: [String]?, certificate: CertificatePair, body: String) -> String {
        let match = names.map { "filter_chain_match: { server_names: [\($0.map { "\"\($0)\"" }.joined(separator: ", "))] }" }
        return """
            name: \(name)
            \(match ?? "")
            \(EnvoyConfig.downstreamTLS(server: certificate, alpn: ["http/1.1"]))
            filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: \(name)
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                    - match: { prefix: "/" }
                      direct_response: { status: 200, body: { inline_string: "\(body)" } }
                http_filters:
                - name: envoy.filters.http.router
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
            """
    }

    /// `mapping` as one item of a YAML list at column 0.
    static func listItem(_ mapping: String) -> String {
        "- " + EnvoyConfig.indent(mapping, 2).dropFirst(2)
    }

    @Test("each server name gets its own certificate and chain; unknown names the default chain")
    func terminatesPerServerName() async throws {
        let certs = try await TestCertificates.make()
        let a = try await certs.issue(name: "a", subject: "/CN=a.example.com", sans: "DNS:a.example.com")
        let b = try await certs.issue(name: "b", subject: "/CN=b.example.com", sans: "DNS:*.b.example.com")
        let fallback = Self.chain("default", names: nil, certificate: certs.server, body: "default")
        let listener = """
            - name: sni
              stat_prefix: sni
              address:
                socket_address: { address: 127.0.0.1, port_value: 0 }
              listener_filters:
              - name: envoy.filters.listener.tls_inspector
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
              filter_chains:
            \(EnvoyConfig.indent(Self.listItem(Self.chain("a", names: ["a.example.com"], certificate: a, body: "chain a")), 2))
            \(EnvoyConfig.indent(Self.listItem(Self.chain("b", names: ["*.b.example.com"], certificate: b, body: "chain b")), 2))
              default_filter_chain:
            \(EnvoyConfig.indent(fallback, 4))
            """
        try await TernProcess.with(config: EnvoyConfig.bootstrap(listeners: [listener], clusters: [])) { proxy in
            let port = try await proxy.listenerPort("sni")
            for (name, body) in [("a.example.com", "chain a"), ("x.b.example.com", "chain b"), ("localhost", "default")] {
                let response = try await Curl.https(port: port, "/", serverName: name, caCertificate: certs.ca)
                #expect(response.exitCode == 0, "\(name): \(response.stderr)")
                #expect(response.status == 200 && String(decoding: response.body, as: UTF8.self) == body, "\(name)")
            }
            #expect(try await proxy.waitForStat("tls_inspector.sni_found", atLeast: 3) == 3)
            #expect(try await proxy.stat("tls_inspector.tls_found") == 3)
            #expect(try await proxy.waitForStat("http.a.downstream_rq_2xx", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.b.downstream_rq_2xx", atLeast: 1) == 1)
            #expect(try await proxy.waitForStat("http.default.downstream_rq_2xx", atLeast: 1) == 1)
        }
        certs.remove()
    }
}
