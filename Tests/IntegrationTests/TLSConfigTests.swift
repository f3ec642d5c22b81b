// TLS configuration errors: a missing or broken certificate, a key that does not match it, an
// unknown cipher or a bad CA file refuses the config with the field's path (`tern validate` and at
// startup), and a reload carrying one is refused while the running TLS listener keeps serving.

import Foundation
import Testing
import TernTestSupport

@Suite("TLS config", .requires(.curl, .openssl), .timeLimit(.minutes(3)), .proxyLogsOnFailure)
struct TLSConfigTests {
    static let chain = "static_resources.listeners[0].filter_chains[0].transport_socket.typed_config.common_tls_context"

    static func listenerConfig(_ socket: String) -> String {
        let hosts = """
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                direct_response: { status: 200, body: { inline_string: "secure" } }
            """
        return EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.withTransportSocket(EnvoyConfig.httpListener(virtualHosts: hosts), socket)],
            clusters: [])
    }

    /// Validates with the proxy under test; returns the exit code and everything it printed.
    static func validate(_ yaml: String) async throws -> (Int32, String) {
        let dir = try TemporaryDirectory(prefix: "tls-validate")
        defer { dir.remove() }
        let file = try dir.write("bootstrap.yaml", yaml)
        let output: ProcessOutput
        switch TestEnvironment.proxyUnderTest {
        case .tern:
            output = try await ProcessRunner.run(try TestEnvironment.ternBinary(), ["validate", "-c", file.path])
        case .envoy:
            output = try await ProcessRunner.run(
                try Peer.envoy.require(), ["--mode", "validate", "-c", file.path, "--disable-hot-restart"])
        }
        return (output.exitCode, output.stdoutText + output.stderrText)
    }

    @Test("a valid TLS listener validates")
    func valid() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        let (code, text) = try await Self.validate(Self.listenerConfig(EnvoyConfig.downstreamTLS(server: certs.server)))
        #expect(code == 0, "\(text)")
    }

    @Test("bad certificates and settings are refused, naming the field",
          arguments: ["missing certificate file", "not a certificate", "key of another certificate", "unknown cipher"])
    func refused(_ kind: String) async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        var server = certs.server
        var tlsParams = ""
        let field: String
        switch kind {
        case "missing certificate file":
            server = CertificatePair(certificate: certs.directory.file("nope.crt").path, key: server.key)
            field = "\(Self.chain).tls_certificates[0].certificate_chain"
        case "not a certificate":
            server = CertificatePair(certificate: try certs.directory.write("junk.crt", "hello\n").path, key: server.key)
            field = "\(Self.chain).tls_certificates[0].certificate_chain"
        case "key of another certificate":
            server = CertificatePair(certificate: server.certificate, key: try await certs.strayKey())
            field = "\(Self.chain).tls_certificates[0].private_key"
        default:
            tlsParams = "cipher_suites: [\"NOT-A-CIPHER\"]"
            field = "\(Self.chain).tls_params.cipher_suites[0]"
        }
        let yaml = Self.listenerConfig(EnvoyConfig.downstreamTLS(server: server, tlsParams: tlsParams))
        let (code, text) = try await Self.validate(yaml)
        #expect(code == 1, "\(text)")
        if TestEnvironment.proxyUnderTest == .tern {
            #expect(text.contains(field), "the error should name \(field): \(text.suffix(600))")
        }
    }

    @Test("an upstream CA file that does not exist is refused, naming the cluster's field")
    func badUpstreamCA() async throws {
        let dir = try TemporaryDirectory(prefix: "tls-ca")
        defer { dir.remove() }
        let tls = EnvoyConfig.upstreamTLS(validation: "trusted_ca: { filename: \"\(dir.file("missing-ca.crt").path)\" }")
        let yaml = EnvoyConfig.bootstrap(
            listeners: [EnvoyConfig.httpListener(virtualHosts: EnvoyConfig.routeAll(to: "svc"))],
            clusters: [EnvoyConfig.staticCluster(name: "svc", port: 9, extra: tls)])
        let (code, text) = try await Self.validate(yaml)
        #expect(code == 1, "\(text)")
        if TestEnvironment.proxyUnderTest == .tern {
            let field = "static_resources.clusters[0].transport_socket.typed_config.common_tls_context.validation_context.trusted_ca"
            #expect(text.contains(field), "\(text.suffix(600))")
        }
    }

    @Test("a reload with a missing key is refused and the TLS listener keeps serving", .ternOnly)
    func reloadRefused() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        let good = Self.listenerConfig(EnvoyConfig.downstreamTLS(server: certs.server))
        try await TernProcess.with(config: good) { proxy in
            let port = try await proxy.listenerPort("ingress")
            #expect(try await Curl.https(port: port, caCertificate: certs.ca).bodyText == "secure")
            let broken = CertificatePair(certificate: certs.server.certificate, key: certs.directory.file("gone.key").path)
            try proxy.replaceConfig(Self.listenerConfig(EnvoyConfig.downstreamTLS(server: broken)))
            proxy.send(signal: SIGHUP)
            #expect(try await proxy.waitForStat("tern.config_reload.failure", atLeast: 1) == 1)
            #expect(proxy.logs().contains("\(Self.chain).tls_certificates[0].private_key"))
            let after = try await Curl.https(port: try await proxy.listenerPort("ingress"), caCertificate: certs.ca)
            #expect(after.status == 200, "\(after)")
            #expect(after.bodyText == "secure")
        }
    }

    @Test("a reload after the certificate files were rotated serves the new certificate", .ternOnly)
    func rotationOnReload() async throws {
        let certs = try await TestCertificates.make()
        defer { certs.remove() }
        let config = Self.listenerConfig(EnvoyConfig.downstreamTLS(server: certs.server))
        try await TernProcess.with(config: config) { proxy in
            /// The subject line curl prints for the certificate the proxy served.
            func servedSubject() async throws -> String {
                let response = try await Curl.https(port: try await proxy.listenerPort("ingress"), caCertificate: certs.ca,
                                                    extra: ["-v"])
                return response.stderr.split(separator: "\n").first { $0.contains("subject:") }.map(String.init) ?? ""
            }
            #expect(try await servedSubject().contains("CN=server"))
            let rotated = try await certs.issue(name: "rotated", subject: "/O=Tern Tests/CN=rotated", sans: "DNS:localhost")
            // Same paths, new contents: the config text does not change.
            for (from, to) in [(rotated.certificate, certs.server.certificate), (rotated.key, certs.server.key)] {
                try Data(contentsOf: URL(fileURLWithPath: from)).write(to: URL(fileURLWithPath: to))
            }
            proxy.send(signal: SIGHUP)
            let switched = try await waitUntil(timeout: .seconds(10)) { try await servedSubject().contains("CN=rotated") }
            #expect(switched, "the rotated certificate was never served")
            #expect(try await proxy.waitForStat("tern.config_reload.success", atLeast: 1) == 1)
        }
    }
}
