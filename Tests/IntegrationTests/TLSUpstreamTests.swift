// Upstream TLS origination (`UpstreamTlsContext` on a cluster) to a Python `ssl` server: SNI as
// configured, the server's certificate validated against `trusted_ca` and its SANs, a client
// certificate presented, a failed validation answered 503 and counted in `cluster.<name>.ssl.*`,
// and tcp_proxy carrying bytes over TLS.

import Foundation
import Testing
import TernTestSupport

@Suite("TLS upstream", .requires(.curl, .openssl, .python), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct TLSUpstreamTests {
    static func config(upstream: Int, tls: String) -> String {
        EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: "svc"))],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream, extra: tls)])
    }

    static func validation(_ ca: String, dnsSAN: String? = nil) -> String {
        var yaml = "trusted_ca: { filename: \"\(ca)\" }\n"
        if let dnsSAN {
            yaml += """
                match_typed_subject_alt_names:
                - san_type: DNS
                  matcher: { exact: "\(dnsSAN)" }

                """
        }
        return yaml
    }

    @Test("SNI, CA validation and a DNS SAN match: the request goes through over TLS")
    func validated() async throws {
        let certs = try await TestCertificates.make()
        let server = try await PythonTLSServer.start(.http, server: certs.server)
        let tls = EnvoyConfig.upstreamTLS(sni: "server.tern.test",
                                          validation: Self.validation(certs.ca, dnsSAN: "server.tern.test"))
        try await TernProcess.with(config: Self.config(upstream: server.port, tls: tls)) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/")
            #expect(response.status == 200, "\(response)")
            #expect(response.bodyText == "tls ok")
            #expect(response.headers["x-sni"] == "server.tern.test")
            #expect(response.headers["x-client-cn"] == "none")
            // No alpn_protocols: the HTTP/1.1 pool offers its fallback, "http/1.1", as Envoy does.
            #expect(response.headers["x-alpn"] == "http/1.1")
            #expect(try await proxy.waitForStat("cluster.svc.ssl.handshake", atLeast: 1) == 1)
        }
        await server.stop()
        certs.remove()
    }

    @Test("a client certificate is presented to an upstream that requires one")
    func clientCertificate() async throws {
        let certs = try await TestCertificates.make()
        let server = try await PythonTLSServer.start(.http, server: certs.server, clientCA: certs.ca)
        let tls = EnvoyConfig.upstreamTLS(client: certs.client, validation: Self.validation(certs.ca))
        try await TernProcess.with(config: Self.config(upstream: server.port, tls: tls)) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/")
            #expect(response.status == 200, "\(response)")
            #expect(response.headers["x-client-cn"] == "client")
            #expect(response.headers["x-sni"] == "", "no sni configured: none sent")
        }
        await server.stop()
        certs.remove()
    }

    @Test("a server certificate from an untrusted CA: 503 connect failure, counted as fail_verify_error")
    func untrustedServer() async throws {
        let certs = try await TestCertificates.make()
        let server = try await PythonTLSServer.start(.http, server: certs.server)
        let tls = EnvoyConfig.upstreamTLS(validation: Self.validation(certs.otherCA))
        try await TernProcess.with(config: Self.config(upstream: server.port, tls: tls)) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/")
            #expect(response.status == 503, "\(response)")
            #expect(response.bodyText.hasPrefix(
                "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure"))
            #expect(try await proxy.waitForStat("cluster.svc.ssl.fail_verify_error", atLeast: 1) >= 1)
            #expect(try await proxy.waitForStat("cluster.svc.upstream_cx_connect_fail", atLeast: 1) >= 1)
            #expect(try await proxy.stat("cluster.svc.ssl.handshake") == 0)
        }
        await server.stop()
        certs.remove()
    }

    @Test("a server certificate without the expected SAN: 503, counted as fail_verify_san")
    func sanMismatch() async throws {
        let certs = try await TestCertificates.make()
        let server = try await PythonTLSServer.start(.http, server: certs.server)
        let tls = EnvoyConfig.upstreamTLS(validation: Self.validation(certs.ca, dnsSAN: "other.tern.test"))
        try await TernProcess.with(config: Self.config(upstream: server.port, tls: tls)) { proxy in
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/")
            #expect(response.status == 503, "\(response)")
            #expect(try await proxy.waitForStat("cluster.svc.ssl.fail_verify_san", atLeast: 1) >= 1)
            #expect(try await proxy.stat("cluster.svc.ssl.handshake") == 0)
        }
        await server.stop()
        certs.remove()
    }

    @Test("tcp_proxy originates TLS: bytes come back from a TLS echo server")
    func tcpProxy() async throws {
        let certs = try await TestCertificates.make()
        let server = try await PythonTLSServer.start(.echo, server: certs.server)
        let tls = EnvoyConfig.upstreamTLS(sni: "server.tern.test", validation: Self.validation(certs.ca))
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.tcpProxyListener(name: "tcp", statPrefix: "tcp", cluster: "echo")],
            clusters: [EnvoyConfig.staticCluster(name: "echo", port: server.port, extra: tls)])
        try await TernProcess.with(config: config) { proxy in
            let connection = try await RawConnection.connect(port: try await proxy.listenerPort("tcp"))
            let message = Array("hello over tls ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 100_000)
            try await connection.send(message)
            try await connection.shutdownWrite()
            let read = try await connection.readUntilClose(timeout: .seconds(20))
            await connection.close()
            #expect(read.bytes == message)
            #expect(try await proxy.waitForStat("cluster.echo.ssl.handshake", atLeast: 1) == 1)
        }
        await server.stop()
        certs.remove()
    }

    @Test("HTTP health checks use the cluster's TLS transport socket")
    func healthCheckOverTLS() async throws {
        let certs = try await TestCertificates.make()
        let server = try await PythonTLSServer.start(.http, server: certs.server)
        let extra = EnvoyConfig.upstreamTLS(validation: Self.validation(certs.ca)) + "\n" + """
            health_checks:
            - timeout: 1s
              interval: 0.1s
              no_traffic_interval: 0.1s
              unhealthy_threshold: 1
              healthy_threshold: 1
              http_health_check: { path: "/healthz" }
            """
        try await TernProcess.with(config: Self.config(upstream: server.port, tls: extra)) { proxy in
            #expect(try await proxy.waitForStat("cluster.svc.health_check.success", atLeast: 2) >= 2)
            #expect(try await proxy.stat("cluster.svc.health_check.failure") == 0)
            #expect(try await proxy.waitForStat("cluster.svc.ssl.handshake", atLeast: 1) >= 1)
            let response = try await Curl.get(port: try await proxy.listenerPort("ingress"), "/")
            #expect(response.status == 200, "\(response)")
        }
        await server.stop()
        certs.remove()
    }
}
