import Testing
import TernConfig
@testable import TernTransport

@Suite("TLSConfigurationBuilder")
struct TLSConfigurationBuilderTests {
    static let path = "clusters[0].transport_socket.typed_config.common_tls_context"

    func error(_ spec: TLSContextSpec, role: TLSConfigurationBuilder.Role = .client) -> CompileError? {
        do {
            _ = try TLSConfigurationBuilder.configuration(spec, role: role)
            return nil
        } catch {
            return error as? CompileError
        }
    }

    @Test("a client context without certificates builds with Envoy's defaults")
    func defaults() throws {
        let config = try TLSConfigurationBuilder.configuration(TLSContextSpec(path: Self.path), role: .client)
        #expect(config.minimumTLSVersion == .tlsv12)
        #expect(config.maximumTLSVersion == .tlsv12)
        #expect(config.cipherSuites == TLSParameterNames.defaultCipherSuites)
        let server = try TLSConfigurationBuilder.configuration(TLSContextSpec(path: Self.path), role: .server)
        #expect(server.maximumTLSVersion == .tlsv13)
    }

    @Test("a certificate chain that is not PEM names its field")
    func notPEM() {
        var spec = TLSContextSpec(path: Self.path)
        spec.certificates = [.init(chain: .init(bytes: Array("junk".utf8), path: "\(Self.path).tls_certificates[0].certificate_chain"),
                                   privateKey: .init(bytes: [], path: "\(Self.path).tls_certificates[0].private_key"),
                                   password: nil)]
        #expect(error(spec)?.path == "\(Self.path).tls_certificates[0].certificate_chain")
    }

    @Test("an unknown cipher, curve or signature algorithm names the list entry")
    func unknownNames() {
        var spec = TLSContextSpec(path: Self.path)
        spec.cipherSuites = .init(["ECDHE-RSA-AES128-GCM-SHA256", "[AES128-SHA|NOPE]"], path: "p.cipher_suites")
        #expect(error(spec)?.path == "p.cipher_suites[1]")
        spec.cipherSuites = .init(["[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]"], path: "p.cipher_suites")
        #expect(error(spec) == nil)
        spec.ecdhCurves = .init(["P-256", "P-999"], path: "p.ecdh_curves")
        #expect(error(spec)?.path == "p.ecdh_curves[1]")
        spec.ecdhCurves = .init(["X25519", "P-384"], path: "p.ecdh_curves")
        spec.signatureAlgorithms = .init(["rsa_pss_rsae_sha256", "md5"], path: "p.signature_algorithms")
        #expect(error(spec)?.path == "p.signature_algorithms[1]")
    }

    @Test("a minimum version above the maximum is refused")
    func versions() {
        var spec = TLSContextSpec(path: Self.path)
        spec.minimumVersion = .tls13
        spec.maximumVersion = .tls12
        #expect(error(spec)?.path == "\(Self.path).tls_params")
        spec.maximumVersion = .tls13
        #expect(error(spec) == nil)
    }
}
