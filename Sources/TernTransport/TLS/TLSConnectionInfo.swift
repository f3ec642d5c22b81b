/// What a completed TLS handshake tells the layers above: the negotiated ALPN protocol and TLS
/// version, and the peer certificate's names (empty when the peer sent none). Filters read it
/// through `DownstreamConnection.tls` (x-forwarded-proto, RBAC `authenticated`).
public struct TLSConnectionInfo: Sendable, Equatable {
    /// The ALPN protocol both sides agreed on ("h2", "http/1.1"), nil without ALPN.
    public var negotiatedProtocol: String?
    /// "TLSv1.2" or "TLSv1.3", as Envoy's `%DOWNSTREAM_TLS_VERSION%` prints it.
    public var version: String?
    /// Whether the peer presented a certificate (validated, when a `trusted_ca` is set).
    public var peerCertificatePresented: Bool
    public var peerSubjectAltNames: PeerSubjectAltNames
    /// The peer certificate's subject in RFC 2253 form (`CN=client,O=Example`), as Envoy prints it.
    public var peerSubject: String

    public init(negotiatedProtocol: String?, version: String?, peerCertificatePresented: Bool,
                peerSubjectAltNames: PeerSubjectAltNames, peerSubject: String) {
        self.negotiatedProtocol = negotiatedProtocol
        self.version = version
        self.peerCertificatePresented = peerCertificatePresented
        self.peerSubjectAltNames = peerSubjectAltNames
        self.peerSubject = peerSubject
    }
}
