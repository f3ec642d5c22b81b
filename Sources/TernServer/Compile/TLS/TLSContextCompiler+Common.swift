import Foundation
import TernConfig
import TernHTTP
import TernTransport

extension TLSContextCompiler {
    /// `CommonTlsContext` → `TLSContextSpec`: certificates and CA read now, settings checked,
    /// what Tern does not do warned about.
    func common(_ c: Common, path: String) throws -> TLSContextSpec {
        var spec = TLSContextSpec(path: path)
        for (i, cert) in c.tlsCertificates.enumerated() {
            let p = "\(path).tls_certificates[\(i)]"
            guard cert.hasCertificateChain else { throw CompileError("\(p).certificate_chain", "a certificate chain is required") }
            guard cert.hasPrivateKey else { throw CompileError("\(p).private_key", "a private key is required") }
            if cert.hasOcspStaple { context.warn("\(p).ocsp_staple", "not implemented by Tern yet; ignored") }
            spec.certificates.append(.init(
                chain: .init(bytes: try read(cert.certificateChain, path: "\(p).certificate_chain"), path: "\(p).certificate_chain"),
                privateKey: .init(bytes: try read(cert.privateKey, path: "\(p).private_key"), path: "\(p).private_key"),
                password: cert.hasPassword ? try read(cert.password, path: "\(p).password") : nil))
        }
        if c.tlsCertificates.count > 1 {
            context.warn("\(path).tls_certificates", "Tern serves the first certificate only; the others are ignored")
        }
        if case .validationContext(let v)? = c.validationContextType {
            try validation(v, path: "\(path).validation_context", into: &spec)
        }
        spec.alpnProtocols = c.alpnProtocols
        if c.hasTlsParams {
            let p = "\(path).tls_params"
            let t = c.tlsParams
            spec.minimumVersion = try version(t.tlsMinimumProtocolVersion, path: "\(p).tls_minimum_protocol_version")
            spec.maximumVersion = try version(t.tlsMaximumProtocolVersion, path: "\(p).tls_maximum_protocol_version")
            spec.cipherSuites = .init(t.cipherSuites, path: "\(p).cipher_suites")
            spec.ecdhCurves = .init(t.ecdhCurves, path: "\(p).ecdh_curves")
            spec.signatureAlgorithms = .init(t.signatureAlgorithms, path: "\(p).signature_algorithms")
        }
        return spec
    }

    private func validation(_ v: Envoy_Extensions_TransportSockets_Tls_V3_CertificateValidationContext, path: String,
                            into spec: inout TLSContextSpec) throws {
        if v.hasTrustedCa {
            spec.trustedCA = .init(bytes: try read(v.trustedCa, path: "\(path).trusted_ca"), path: "\(path).trusted_ca")
        }
        for (i, m) in v.matchTypedSubjectAltNames.enumerated() {
            let p = "\(path).match_typed_subject_alt_names[\(i)]"
            let type: SubjectAltNameMatcher.SANType
            switch m.sanType {
            case .email: type = .email
            case .dns: type = .dns
            case .uri: type = .uri
            case .ipAddress: type = .ipAddress
            case .unspecified, .UNRECOGNIZED: throw CompileError("\(p).san_type", "a SAN type (EMAIL, DNS, URI, IP_ADDRESS) is required")
            }
            guard m.hasMatcher else { throw CompileError("\(p).matcher", "a matcher is required") }
            let match = try StringMatch(proto: m.matcher, path: "\(p).matcher")
            if type == .dns, case .exact(let name)? = m.matcher.matchPattern {
                // Envoy: an exact DNS matcher also accepts a wildcard SAN covering the name.
                spec.subjectAltNameMatchers.append(SubjectAltNameMatcher(type: type, matches: { san in
                    match.matches(san) || SubjectAltNameMatcher.wildcardDNSMatch(name: name, san: san)
                }))
            } else {
                spec.subjectAltNameMatchers.append(SubjectAltNameMatcher(type: type, matches: { match.matches($0) }))
            }
        }
        if v.allowExpiredCertificate {
            context.warn("\(path).allow_expired_certificate", "not implemented by Tern yet; expired certificates are refused")
        }
        if v.trustChainVerification == .acceptUntrusted {
            context.warn("\(path).trust_chain_verification", "ACCEPT_UNTRUSTED is not implemented by Tern yet; untrusted certificates are refused")
        }
        if v.hasMaxVerifyDepth { context.warn("\(path).max_verify_depth", "not implemented by Tern yet; ignored") }
    }

    private func version(_ v: Envoy_Extensions_TransportSockets_Tls_V3_TlsParameters.TlsProtocol,
                         path: String) throws -> TLSContextSpec.ProtocolVersion? {
        switch v {
        case .tlsAuto: nil
        case .tlsv10: .tls10
        case .tlsv11: .tls11
        case .tlsv12: .tls12
        case .tlsv13: .tls13
        case .UNRECOGNIZED(let n): throw CompileError(path, "unknown TLS version \(n)")
        }
    }

    /// A `DataSource`'s bytes: files are read once, at load, as Envoy does for static secrets.
    func read(_ d: Envoy_Config_Core_V3_DataSource, path: String) throws -> [UInt8] {
        switch d.specifier {
        case .filename(let f):
            guard let data = FileManager.default.contents(atPath: f) else {
                throw CompileError(path, "cannot read file '\(f)'")
            }
            return Array(data)
        case .inlineBytes(let b): return Array(b)
        case .inlineString(let s): return Array(s.utf8)
        case .environmentVariable(let name):
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw CompileError("\(path).environment_variable", "environment variable '\(name)' is not set")
            }
            return Array(value.utf8)
        case nil: throw CompileError(path, "the data source is empty")
        }
    }
}
