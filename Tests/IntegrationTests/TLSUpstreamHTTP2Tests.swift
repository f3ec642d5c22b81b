// HTTP/2 upstreams over TLS: a grpcio client (h2c) → the proxy → a grpcio server that only
// speaks TLS with ALPN h2. The cluster lists no alpn_protocols, so the HTTP/2 pool's fallback
// "h2" must be offered, as Envoy does; the server's certificate is validated and a client
// certificate presented.

import Foundation
import Testing
import TernTestSupport

@Suite("TLS upstream, HTTP/2", .requires(.python, .openssl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct TLSUpstreamHTTP2Tests {
    static let http2Upstream = """
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        explicit_http_config: { http2_protocol_options: {} }
    """

    @Test("a gRPC call reaches a TLS-only HTTP/2 server with ALPN h2, SNI, CA validation and a client certificate")
    func grpcOverTLS() async throws {
        let certs = try await TestCertificates.make()
        let server = try await PythonGRPCTLSServer.start(server: certs.server, clientCA: certs.ca)
        let tls = EnvoyConfig.upstreamTLS(sni: "server.tern.test", client: certs.client,
                                          validation: "trusted_ca: { filename: \"\(certs.ca)\" }")
        let config = EnvoyConfig.httpProxy(to: server.port, clusterExtra: Self.http2Upstream + "\n" + tls)
        try await TernProcess.with(config: config) { proxy in
            let result = try await GRPCClient.call(port: try await proxy.listenerPort("ingress"),
                                                   GRPCCall("Unary", sizes: [1024]))
            #expect(result.code == "OK", "\(result)")
            #expect(result.echoOK, "\(result)")
            #expect(result.trailing["x-client-cn"] == "client", "\(result)")
            #expect(try await proxy.waitForStat("cluster.svc.ssl.handshake", atLeast: 1) >= 1)
        }
        await server.stop()
        certs.remove()
    }

    @Test("a server certificate from an untrusted CA fails the call with UNAVAILABLE, counted as fail_verify_error")
    func untrustedServer() async throws {
        let certs = try await TestCertificates.make()
        let server = try await PythonGRPCTLSServer.start(server: certs.server)
        let tls = EnvoyConfig.upstreamTLS(validation: "trusted_ca: { filename: \"\(certs.otherCA)\" }")
        let config = EnvoyConfig.httpProxy(to: server.port, clusterExtra: Self.http2Upstream + "\n" + tls)
        try await TernProcess.with(config: config) { proxy in
            let result = try await GRPCClient.call(port: try await proxy.listenerPort("ingress"), GRPCCall("Unary"))
            #expect(result.code == "UNAVAILABLE", "\(result)")
            #expect(try await proxy.waitForStat("cluster.svc.ssl.fail_verify_error", atLeast: 1) >= 1)
            #expect(try await proxy.stat("cluster.svc.ssl.handshake") == 0)
        }
        await server.stop()
        certs.remove()
    }
}
