// Certificates for TLS tests, made at test time with the `openssl` CLI in a temporary folder:
// a test CA, a second CA nobody trusts, and leaf certificates with DNS, IP and SPIFFE URI SANs.
// No private key is ever committed.

import Foundation

/// A certificate and its private key, as PEM file paths.
public struct CertificatePair: Sendable {
    public let certificate: String
    public let key: String

    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}

/// A fresh PKI for one test: `ca` signs `server` and `client`; `otherCA` signs `untrustedClient`.
public struct TestCertificates: Sendable {
    public let directory: TemporaryDirectory
    /// The trusted CA's certificate (PEM path).
    public let ca: String
    /// A CA Tern is never told to trust.
    public let otherCA: String
    /// CN=server; SANs DNS:localhost, DNS:server.tern.test, IP:127.0.0.1,
    /// URI:spiffe://tern.test/ns/default/sa/server.
    public let server: CertificatePair
    /// CN=client; SANs DNS:client.tern.test, URI:spiffe://tern.test/ns/default/sa/client.
    public let client: CertificatePair
    /// CN=client, signed by `otherCA` (same SANs as `client`).
    public let untrustedClient: CertificatePair

    public static let serverSPIFFE = "spiffe://tern.test/ns/default/sa/server"
    public static let clientSPIFFE = "spiffe://tern.test/ns/default/sa/client"

    /// Generates everything (EC P-256 keys, 30 days).
    public static func make() async throws -> TestCertificates {
        let dir = try TemporaryDirectory(prefix: "pki")
        let ca = try await makeCA(dir, name: "ca", subject: "/CN=Tern Test CA")
        let other = try await makeCA(dir, name: "other-ca", subject: "/CN=Untrusted Test CA")
        let server = try await issue(dir, name: "server", subject: "/O=Tern Tests/CN=server", ca: ca,
                                     sans: "DNS:localhost,DNS:server.tern.test,IP:127.0.0.1,URI:\(serverSPIFFE)")
        let clientSANs = "DNS:client.tern.test,URI:\(clientSPIFFE)"
        let client = try await issue(dir, name: "client", subject: "/O=Tern Tests/CN=client", ca: ca, sans: clientSANs)
        let untrusted = try await issue(dir, name: "untrusted-client", subject: "/O=Tern Tests/CN=client", ca: other,
                                        sans: clientSANs)
        return TestCertificates(directory: dir, ca: ca.certificate, otherCA: other.certificate,
                                server: server, client: client, untrustedClient: untrusted)
    }

    /// Another leaf signed by the trusted CA, e.g. with SANs a matcher must refuse.
    public func issue(name: String, subject: String, sans: String) async throws -> CertificatePair {
        try await Self.issue(directory, name: name, subject: subject,
                             ca: CertificatePair(certificate: ca, key: directory.file("ca.key").path), sans: sans)
    }

    /// A private key that belongs to no certificate here.
    public func strayKey() async throws -> String {
        let key = directory.file("stray.key").path
        try await Self.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
        return key
    }

    public func remove() { directory.remove() }

    // MARK: - openssl

    private static func makeCA(_ dir: TemporaryDirectory, name: String, subject: String) async throws -> CertificatePair {
        let key = dir.file("\(name).key").path
        let cert = dir.file("\(name).crt").path
        try await openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-keyout", key, "-out", cert, "-days", "30", "-subj", subject,
                           "-addext", "basicConstraints=critical,CA:TRUE",
                           "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        return CertificatePair(certificate: cert, key: key)
    }

    private static func issue(_ dir: TemporaryDirectory, name: String, subject: String, ca: CertificatePair,
                              sans: String) async throws -> CertificatePair {
        let key = dir.file("\(name).key").path
        let csr = dir.file("\(name).csr").path
        let cert = dir.file("\(name).crt").path
        let ext = try dir.write("\(name).ext", """
            basicConstraints=CA:FALSE
            keyUsage=critical,digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth,clientAuth
            subjectAltName=\(sans)

            """).path
        try await openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-keyout", key, "-out", csr, "-subj", subject])
        try await openssl(["x509", "-req", "-in", csr, "-CA", ca.certificate, "-CAkey", ca.key, "-CAcreateserial",
                           "-out", cert, "-days", "30", "-extfile", ext])
        return CertificatePair(certificate: cert, key: key)
    }

    private static func openssl(_ arguments: [String]) async throws {
        let output = try await ProcessRunner.run(try Peer.openssl.require(), arguments)
        guard output.exitCode == 0 else {
            throw HarnessError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(output.stderrText)")
        }
    }
}
