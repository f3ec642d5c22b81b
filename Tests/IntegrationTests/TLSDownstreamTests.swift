// Downstream TLS termination (`DownstreamTlsContext` on a filter chain): HTTP/1.1 and HTTP/2 by
// ALPN with a real curl, mTLS accepted and refused (no certificate, wrong CA, SAN mismatch), each
// failure counted in Envoy's `listener.<prefix>.ssl.*` stats, and no connection leaked.

import Foundation
import Testing
import TernTestSupport

@Suite("TLS downstream", .requires(.curl, .openssl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct TLSDownstreamTests {
    /// Listener "ingress" terminating TLS with `transportSocket`, routing to cluster "svc".
    static func config(upstream: Int, transportSocket: String) -> String {
        let listener = EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: "svc"),
                                                hcmExtra: "codec_type: AUTO")
        return EnvoyConfig.bootstrap(listeners: [EnvoyConfig.withTransportSocket(listener, transportSocket)],
                                     clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream)])
    }

    /// The sum of `listener.<any>.ssl.<name>` (the listener's stat prefix is its address).
    static func sslStat(_ proxy: TernProcess, _ name: String) async throws -> Int {
        try await proxy.stats().filter { $0.key.hasPrefix("listener.") && $0.key.hasSuffix(".ssl.\(name)") }
            .values.reduce(0, +)
    }

    static func waitForSSLStat(_ proxy: TernProcess, _ name: String, atLeast value: Int) async throws -> Int {
        _ = try await waitUntil(timeout: .seconds(10)) { try await sslStat(proxy, name) >= value }
        return try await sslStat(proxy, name)
    }

    /// `downstream_cx_active` of every listener but admin is back to zero.
    static func noActiveConnections(_ proxy: TernProcess) async throws -> Bool {
        try await waitUntil(timeout: .seconds(10)) {
            try await proxy.stats().filter { $0.key.hasPrefix("listener.") && !$0.key.contains("admin")
                && $0.key.hasSuffix(".downstream_cx_active") }.values.allSatisfy { $0 == 0 }
        }
    }

    static func mTLSValidation(_ certs: TestCertificates) -> String {
        """
        trusted_ca: { filename: "\(certs.ca)" }
        match_typed_subject_alt_names:
        - san_type: URI
          matcher: { exact: "\(TestCertificates.clientSPIFFE)" }
        """
    }

    @Test("HTTP/1.1 over TLS: the request reaches the upstream with x-forwarded-proto https")
    func http1() async throws {
        let certs = try await TestCertificates.make()
        let upstream = try await UpstreamServer.start()
        let socket = EnvoyConfig.downstreamTLS(server: certs.server, alpn: ["h2", "http/1.1"])
        try await TernProcess.with(config: Self.config(upstream: upstream.port, transportSocket: socket)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.https(port: port, "/hello", caCertificate: certs.ca)
            #expect(response.status == 200, "\(response)")
            #expect(response.version == "HTTP/1.1")
            let seen = await upstream.waitForRequests(1)
            #expect(seen.first?.uri == "/hello")
            #expect(seen.first?.headers.values("x-forwarded-proto") == ["https"])
            #expect(try await Self.waitForSSLStat(proxy, "handshake", atLeast: 1) == 1)
            #expect(try await Self.sslStat(proxy, "no_certificate") == 1)
            #expect(try await Self.sslStat(proxy, "connection_error") == 0)
            #expect(try await Self.sslStat(proxy, "versions.TLSv1.3") == 1)
        }
        await upstream.stop()
        certs.remove()
    }

    @Test("ALPN h2 selects HTTP/2 with codec_type AUTO")
    func http2ByALPN() async throws {
        let certs = try await TestCertificates.make()
        let upstream = try await UpstreamServer.start()
        let socket = EnvoyConfig.downstreamTLS(server: certs.server, alpn: ["h2", "http/1.1"])
        try await TernProcess.with(config: Self.config(upstream: upstream.port, transportSocket: socket)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let h2 = try await Curl.https(port: port, "/two", caCertificate: certs.ca, http2: true)
            #expect(h2.status == 200, "\(h2)")
            #expect(h2.version == "HTTP/2")
            let h1 = try await Curl.https(port: port, "/one", caCertificate: certs.ca, http2: false)
            #expect(h1.status == 200, "\(h1)")
            #expect(h1.version == "HTTP/1.1")
            #expect(await upstream.waitForRequests(2).count == 2)
            #expect(try await Self.waitForSSLStat(proxy, "handshake", atLeast: 2) == 2)
        }
        await upstream.stop()
        certs.remove()
    }

    @Test("mTLS: a client certificate from the trusted CA with the expected SPIFFE SAN is accepted")
    func mTLSAccepted() async throws {
        let certs = try await TestCertificates.make()
        let upstream = try await UpstreamServer.start()
        let socket = EnvoyConfig.downstreamTLS(server: certs.server, requireClientCertificate: true,
                                               validation: Self.mTLSValidation(certs))
        try await TernProcess.with(config: Self.config(upstream: upstream.port, transportSocket: socket)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.https(port: port, caCertificate: certs.ca, client: certs.client)
            #expect(response.status == 200, "\(response)")
            #expect(try await Self.waitForSSLStat(proxy, "handshake", atLeast: 1) == 1)
            #expect(try await Self.sslStat(proxy, "no_certificate") == 0)
        }
        await upstream.stop()
        certs.remove()
    }

    @Test("mTLS refusals are counted by kind and leak no connection",
          arguments: ["no certificate", "wrong CA", "SAN mismatch"])
    func mTLSRefused(_ kind: String) async throws {
        let certs = try await TestCertificates.make()
        let upstream = try await UpstreamServer.start()
        let socket = EnvoyConfig.downstreamTLS(server: certs.server, requireClientCertificate: true,
                                               validation: Self.mTLSValidation(certs))
        let client: CertificatePair?
        let stat: String
        switch kind {
        case "no certificate":
            client = nil
            stat = "fail_verify_no_cert"
        case "wrong CA":
            client = certs.untrustedClient
            stat = "fail_verify_error"
        default:
            client = try await certs.issue(name: "intruder", subject: "/CN=intruder",
                                           sans: "URI:spiffe://tern.test/ns/default/sa/intruder")
            stat = "fail_verify_san"
        }
        try await TernProcess.with(config: Self.config(upstream: upstream.port, transportSocket: socket)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.https(port: port, caCertificate: certs.ca, client: client)
            #expect(response.status == 0, "the request must not be answered: \(response)")
            #expect(response.exitCode != 0)
            #expect(try await Self.waitForSSLStat(proxy, stat, atLeast: 1) == 1)
            // As in Envoy, a verification failure is not also a connection_error.
            #expect(try await Self.sslStat(proxy, "connection_error") == 0)
            #expect(try await Self.sslStat(proxy, "handshake") == 0)
            #expect(try await Self.noActiveConnections(proxy), "a refused connection stayed open")
            #expect(upstream.requests.isEmpty)
        }
        await upstream.stop()
        certs.remove()
    }

    @Test("plaintext sent to a TLS port is a counted connection error, then the proxy serves TLS as before")
    func plaintextToTLSPort() async throws {
        let certs = try await TestCertificates.make()
        let upstream = try await UpstreamServer.start()
        let socket = EnvoyConfig.downstreamTLS(server: certs.server)
        try await TernProcess.with(config: Self.config(upstream: upstream.port, transportSocket: socket)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let plain = try await Curl.get(port: port)
            #expect(plain.status == 0)
            #expect(try await Self.waitForSSLStat(proxy, "connection_error", atLeast: 1) == 1)
            #expect(try await Self.noActiveConnections(proxy))
            let good = try await Curl.https(port: port, caCertificate: certs.ca)
            #expect(good.status == 200, "\(good)")
        }
        await upstream.stop()
        certs.remove()
    }

    @Test("large bodies cross TLS both ways intact", arguments: [false, true])
    func largeBodies(http2: Bool) async throws {
        let certs = try await TestCertificates.make()
        let big = String(repeating: "0123456789abcdef", count: 128 * 1024)   // 2 MiB
        let upstream = try await UpstreamServer.start(.custom { request in
            request.method == "POST" ? .echo : .respond(body: big)
        })
        let socket = EnvoyConfig.downstreamTLS(server: certs.server, alpn: ["h2", "http/1.1"])
        try await TernProcess.with(config: Self.config(upstream: upstream.port, transportSocket: socket)) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let down = try await Curl.https(port: port, "/big", caCertificate: certs.ca, http2: http2)
            #expect(down.status == 200)
            #expect(down.body.count == big.utf8.count)
            #expect(down.bodyText == big)
            let upload = try certs.directory.write("upload-\(http2)", big)
            let up = try await Curl.https(port: port, "/up", caCertificate: certs.ca, http2: http2,
                                          extra: ["--data-binary", "@\(upload.path)"])
            #expect(up.status == 200, "\(up)")
            #expect(try up.echoed().bodyLength == big.utf8.count)
        }
        await upstream.stop()
        certs.remove()
    }

    /// Envoy sets the requested server name from tls_inspector only, never from the terminating
    /// TLS socket; Tern does the same.
    @Test("without tls_inspector, %REQUESTED_SERVER_NAME% stays unset on a TLS connection, as in Envoy")
    func serverNameFromHandshake() async throws {
        let certs = try await TestCertificates.make()
        let upstream = try await UpstreamServer.start()
        let log = certs.directory.file("access.log")
        let accessLog = """
            access_log:
            - name: envoy.access_loggers.file
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: \(log.path)
                log_format: { text_format_source: { inline_string: "%REQUESTED_SERVER_NAME% %PROTOCOL%\\n" } }
            """
        let listener = EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: "svc"), hcmExtra: accessLog)
        let config = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.withTransportSocket(listener, EnvoyConfig.downstreamTLS(server: certs.server))],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: upstream.port)])
        try await TernProcess.with(config: config, extraArguments: ["--file-flush-interval-msec", "100"]) { proxy in
            let port = try await proxy.listenerPort("ingress")
            let response = try await Curl.https(port: port, serverName: "server.tern.test", caCertificate: certs.ca)
            #expect(response.status == 200, "\(response)")
            let lines = await TextFilePoller.waitForLines(log, count: 1)
            #expect(lines == ["- HTTP/1.1"])
        }
        await upstream.stop()
        certs.remove()
    }
}
