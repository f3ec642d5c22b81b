/// A `CommonTlsContext` as the compiler read it: the bytes of every certificate and key (files
/// are read at load, as Envoy does) and the settings, each with the field path its errors name.
/// Pure values; `TLSConfigurationBuilder` turns it into BoringSSL contexts.
public struct TLSContextSpec: Sendable {
    /// PEM bytes and the field path they came from (`...tls_certificates[0].certificate_chain`).
    public struct PEM: Sendable {
        public let bytes: [UInt8]
        public let path: String
        public init(bytes: [UInt8], path: String) {
            self.bytes = bytes
            self.path = path
        }
    }

    /// One `tls_certificates` entry.
    public struct Certificate: Sendable {
        public let chain: PEM
        public let privateKey: PEM
        /// `password` for an encrypted private key.
        public let password: [UInt8]?
        public init(chain: PEM, privateKey: PEM, password: [UInt8]?) {
            self.chain = chain
            self.privateKey = privateKey
            self.password = password
        }
    }

    /// Envoy's `TlsParameters.TlsProtocol` versions Tern can negotiate.
    public enum ProtocolVersion: Sendable, Comparable {
        case tls10, tls11, tls12, tls13
    }

    /// A list setting (cipher suites, curves, signature algorithms) and its field path.
    public struct Names: Sendable {
        public let names: [String]
        public let path: String
        public init(_ names: [String], path: String) {
            self.names = names
            self.path = path
        }
    }

    public var certificates: [Certificate] = []
    /// `validation_context.trusted_ca`; nil: peer certificates are not verified.
    public var trustedCA: PEM?
    public var subjectAltNameMatchers: [SubjectAltNameMatcher] = []
    public var alpnProtocols: [String] = []
    /// nil: Envoy's default (TLSv1_2).
    public var minimumVersion: ProtocolVersion?
    /// nil: Envoy's default (TLSv1_3 for servers, TLSv1_2 for clients).
    public var maximumVersion: ProtocolVersion?
    public var cipherSuites: Names?
    public var ecdhCurves: Names?
    public var signatureAlgorithms: Names?
    /// The path of the transport socket's `typed_config.common_tls_context` (for errors about the whole context).
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// A digest (FNV-1a 64) of every certificate, key and CA byte: config reloads compare it, so
    /// files rotated under an unchanged config still replace the running context.
    public var sourceDigest: [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ bytes: [UInt8]) {
            for b in bytes + [0xff] {
                hash ^= UInt64(b)
                hash &*= 0x100_0000_01b3
            }
        }
        for c in certificates {
            add(c.chain.bytes)
            add(c.privateKey.bytes)
            add(c.password ?? [])
        }
        add(trustedCA?.bytes ?? [])
        return withUnsafeBytes(of: hash.bigEndian) { Array($0) }
    }
}
