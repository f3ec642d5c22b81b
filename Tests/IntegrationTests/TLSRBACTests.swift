// RBAC's `authenticated` principal over mTLS: the peer certificate's SPIFFE URI SAN (then DNS SANs,
// then subject) is the principal name; a plaintext or certificate-less request never matches.

import Foundation
import Testing
import TernTestSupport

@Suite("RBAC authenticated over mTLS", .requires(.curl, .openssl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct TLSRBACTests {
    static func config(upstream: Int, certs: TestCertificates) -> String {
        let rbac = """
            rules:
              action: ALLOW
              policies:
                "client workload":
                  permissions: [{ any: true }]
                  principals:
                  - authenticated: { principal_name: { exact: "\(TestCertificates.clientSPIFFE)" } }
            """
        let listener = EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: "svc"))
            .replacingOccurrences(of: "        http_filters:\n", with: """
                    http_filters:
                    - name: envoy.filters.http.rbac
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
            \(EnvoyConfig.indent(rbac, 12))

            """)
        // Client certificates are requested and validated, but not required: the RBAC filter decides.
        let socket = EnvoyConfig.downstreamTLS(server: certs.server,
                                               validation: "trusted_ca: { filename: \"\(certs.ca)\" }")
        return EnvoyConfig.bootstrap(listeners: [EnvoyConfig.withTransportSocket(listener, socket)],
                                     clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream)])
    }

    @Test("the client's SPIFFE identity is allowed; another identity and no certificate get 403")
    func authenticatedPrincipal() async throws {
        let certs = try await TestCertificates.make()
        let upstream = try await UpstreamServer.start()
        let intruder = try await certs.issue(name: "intruder", subject: "/CN=intruder",
                                             sans: "URI:spiffe://tern.test/ns/default/sa/intruder")
        try await TernProcess.with(config: Self.config(upstream: upstream.port, certs: certs)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let allowed = try await Curl.https(port: port, caCertificate: certs.ca, client: certs.client)
            #expect(allowed.status == 200, "\(allowed)")
            let other = try await Curl.https(port: port, caCertificate: certs.ca, client: intruder)
            #expect(other.status == 403, "\(other)")
            let anonymous = try await Curl.https(port: port, caCertificate: certs.ca)
            #expect(anonymous.status == 403, "\(anonymous)")
            #expect(await upstream.waitForRequests(1).count == 1)
        }
        await upstream.stop()
        certs.remove()
    }
}
