internal import NIOSSL
import TernConfig

/// Turns a `TLSContextSpec` into NIOSSL's `TLSConfiguration` and a ready `NIOSSLContext`, once
/// per config load. Everything BoringSSL would reject is found here and reported as a
/// `CompileError` naming the field, so a bad certificate never reaches the data path.
enum TLSConfigurationBuilder {
    enum Role {
        case server, client
    }

    static func configuration(_ spec: TLSContextSpec, role: Role) throws -> TLSConfiguration {
        var config = TLSConfiguration.makeClientConfiguration()
        config.certificateVerification = .none
        config.trustRoots = nil
        // Envoy sends close_notify and closes without waiting for the peer's; NIOSSL waits for
        // it (5 s by default), which kept closed connections, drains and exits hanging on peers
        // that never answer. One second still lets queued bytes and the alert go out.
        config.shutdownTimeout = .seconds(1)
        if let first = spec.certificates.first {
            let (chain, key) = try credentials(first)
            config.certificateChain = chain.map { .certificate($0) }
            config.privateKey = .privateKey(key)
            // A key that does not belong to the certificate is found when BoringSSL loads the pair.
            do {
                _ = try NIOSSLContext(configuration: config)
            } catch {
                throw CompileError(first.privateKey.path, "private key does not match the certificate chain (\(error))")
            }
        }
        if let ca = spec.trustedCA {
            config.trustRoots = .certificates(try certificates(ca, what: "trusted CA certificates"))
        }
        config.applicationProtocols = spec.alpnProtocols
        try applyVersions(spec, role: role, to: &config)
        try applyParameters(spec, to: &config)
        return config
    }

    /// Builds the context, mapping anything BoringSSL still refuses to the context's path.
    static func context(_ config: TLSConfiguration, path: String) throws -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: config)
        } catch {
            throw CompileError(path, "cannot create the TLS context: \(error)")
        }
    }

    // MARK: - certificates

    static func credentials(_ c: TLSContextSpec.Certificate) throws -> ([NIOSSLCertificate], NIOSSLPrivateKey) {
        let chain = try certificates(c.chain, what: "certificate chain")
        let key: NIOSSLPrivateKey
        do {
            let password = c.password ?? []
            key = try NIOSSLPrivateKey(bytes: c.privateKey.bytes, format: .pem) { setter in setter(password) }
        } catch {
            throw CompileError(c.privateKey.path, "cannot load the private key: not a valid (or correctly decrypted) PEM key (\(error))")
        }
        return (chain, key)
    }

    static func certificates(_ pem: TLSContextSpec.PEM, what: String) throws -> [NIOSSLCertificate] {
        let certs: [NIOSSLCertificate]
        do {
            certs = try NIOSSLCertificate.fromPEMBytes(pem.bytes)
        } catch {
            throw CompileError(pem.path, "cannot load the \(what): not valid PEM (\(error))")
        }
        guard !certs.isEmpty else { throw CompileError(pem.path, "no certificate found in the \(what)") }
        return certs
    }

    // MARK: - tls_params

    private static func applyVersions(_ spec: TLSContextSpec, role: Role, to config: inout TLSConfiguration) throws {
        // Envoy's defaults: at least TLS 1.2; at most TLS 1.3 for servers, TLS 1.2 for clients.
        let minimum = spec.minimumVersion ?? .tls12
        let maximum = spec.maximumVersion ?? (role == .server ? .tls13 : .tls12)
        guard minimum <= maximum else {
            throw CompileError("\(spec.path).tls_params",
                               "tls_minimum_protocol_version is above tls_maximum_protocol_version")
        }
        config.minimumTLSVersion = version(minimum)
        config.maximumTLSVersion = version(maximum)
    }

    private static func version(_ v: TLSContextSpec.ProtocolVersion) -> TLSVersion {
        switch v {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
    }

    private static func applyParameters(_ spec: TLSContextSpec, to config: inout TLSConfiguration) throws {
        config.cipherSuites = TLSParameterNames.defaultCipherSuites
        if let ciphers = spec.cipherSuites, !ciphers.names.isEmpty {
            for (i, name) in ciphers.names.enumerated() where !TLSParameterNames.isKnownCipherEntry(name) {
                throw CompileError("\(ciphers.path)[\(i)]", "unknown cipher suite '\(name)'")
            }
            config.cipherSuites = ciphers.names.joined(separator: ":")
        }
        config.curves = TLSParameterNames.defaultCurves
        if let curves = spec.ecdhCurves, !curves.names.isEmpty {
            config.curves = try curves.names.enumerated().map { i, name in
                guard let curve = TLSParameterNames.curves[name] else {
                    throw CompileError("\(curves.path)[\(i)]", "unknown curve '\(name)'")
                }
                return curve
            }
        }
        if let algorithms = spec.signatureAlgorithms, !algorithms.names.isEmpty {
            config.verifySignatureAlgorithms = try algorithms.names.enumerated().map { i, name in
                guard let algorithm = TLSParameterNames.signatureAlgorithms[name] else {
                    throw CompileError("\(algorithms.path)[\(i)]", "unknown signature algorithm '\(name)'")
                }
                return algorithm
            }
        }
    }
}
