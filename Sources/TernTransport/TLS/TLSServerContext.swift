import NIOCore
internal import NIOSSL
import TernConfig

/// A compiled `DownstreamTlsContext`: one BoringSSL context built at load and shared by every
/// connection of the filter chain on every worker, plus what the handshake handler checks.
public final class TLSServerContext: Sendable {
    let context: NIOSSLContext
    public let stats: TLSStats
    let subjectAltNameMatchers: [SubjectAltNameMatcher]
    /// A certificate is required but no `trusted_ca` validates it: any certificate is accepted,
    /// as Envoy does without a CA.
    let acceptsAnyPeerCertificate: Bool
    /// The ALPN protocols offered, in preference order.
    public let alpnProtocols: [String]
    /// `TLSContextSpec.sourceDigest` of what this context was built from.
    public let sourceDigest: [UInt8]

    /// `requireClientCertificate`: Envoy's `require_client_certificate`. A client certificate is
    /// also required when SAN matchers are set (Envoy's rule), and validated against
    /// `trusted_ca` when one is set (optional but validated when sent, without the requirement).
    public init(spec: TLSContextSpec, requireClientCertificate: Bool, stats: TLSStats) throws {
        guard !spec.certificates.isEmpty else {
            throw CompileError("\(spec.path).tls_certificates", "a server TLS context needs a certificate")
        }
        var config = try TLSConfigurationBuilder.configuration(spec, role: .server)
        let required = requireClientCertificate || !spec.subjectAltNameMatchers.isEmpty
        switch (spec.trustedCA != nil, required) {
        case (true, true): config.certificateVerification = .noHostnameVerification
        case (true, false): config.certificateVerification = .optionalVerification
        case (false, true): config.certificateVerification = .noHostnameVerification
        case (false, false): config.certificateVerification = .none
        }
        acceptsAnyPeerCertificate = spec.trustedCA == nil && required
        context = try TLSConfigurationBuilder.context(config, path: spec.path)
        self.stats = stats
        subjectAltNameMatchers = spec.subjectAltNameMatchers
        alpnProtocols = spec.alpnProtocols
        sourceDigest = spec.sourceDigest
    }

    /// Adds the TLS server handlers to a new downstream connection. `onEstablished` runs on the
    /// connection's loop once the handshake (and SAN matching) succeeded, before any plaintext
    /// is read. (The requested server name is not read here: as in Envoy, only tls_inspector
    /// sets it.)
    public func addHandlers(to channel: any Channel, worker: Int,
                            onEstablished: @escaping (TLSConnectionInfo) -> Void) throws {
        let sync = channel.pipeline.syncOperations
        let ssl: NIOSSLServerHandler
        if acceptsAnyPeerCertificate {
            ssl = NIOSSLServerHandler(context: context, customVerificationCallback: { _, promise in
                promise.succeed(.certificateVerified)
            })
        } else {
            ssl = NIOSSLServerHandler(context: context)
        }
        try sync.addHandler(ssl)
        try sync.addHandler(TLSHandshakeHandler(stats: stats, worker: worker,
                                                subjectAltNameMatchers: subjectAltNameMatchers,
                                                done: channel.eventLoop.makePromise(), onEstablished: onEstablished))
    }
}
