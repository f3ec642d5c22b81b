import NIOCore
internal import NIOSSL
import TernConfig

/// A compiled `UpstreamTlsContext`: BoringSSL contexts built at load and shared by every
/// connection to the cluster's hosts, the SNI to send, and the SAN matchers for the server's
/// certificate. Without `alpn_protocols` a connection pool's ALPN fallback is offered ("h2" for
/// HTTP/2, "http/1.1" for HTTP/1.1, as Envoy does), so one context exists per offered list.
public final class TLSClientContext: Sendable {
    private let contexts: [[String]: NIOSSLContext]
    public let stats: TLSStats
    /// `sni`; nil: no SNI unless `autoHostSNI`.
    let serverName: String?
    /// `auto_host_sni`: the host's name (when it is not an IP literal) replaces `sni`.
    let autoHostSNI: Bool
    let subjectAltNameMatchers: [SubjectAltNameMatcher]
    /// `auto_sni_san_validation`: the server's DNS SANs must match the SNI sent.
    let autoSNISANValidation: Bool
    /// `common_tls_context.alpn_protocols`.
    public let alpnProtocols: [String]
    /// `TLSContextSpec.sourceDigest` of what this context was built from.
    public let sourceDigest: [UInt8]

    /// Fallback ALPN lists connection pools ask for when `alpn_protocols` is empty.
    public static let alpnFallbacks: [[String]] = [["http/1.1"], ["h2"]]

    public init(spec: TLSContextSpec, serverName: String?, autoHostSNI: Bool, autoSNISANValidation: Bool,
                stats: TLSStats) throws {
        var config = try TLSConfigurationBuilder.configuration(spec, role: .client)
        // Without trusted_ca Envoy does not verify the server's certificate at all.
        config.certificateVerification = spec.trustedCA == nil ? .none : .noHostnameVerification
        var contexts: [[String]: NIOSSLContext] = [:]
        let lists = spec.alpnProtocols.isEmpty ? [[]] + Self.alpnFallbacks : [spec.alpnProtocols]
        for list in lists {
            config.applicationProtocols = list
            contexts[list] = try TLSConfigurationBuilder.context(config, path: spec.path)
        }
        self.contexts = contexts
        self.stats = stats
        self.serverName = serverName.flatMap { $0.isEmpty ? nil : $0 }
        self.autoHostSNI = autoHostSNI
        subjectAltNameMatchers = spec.subjectAltNameMatchers
        self.autoSNISANValidation = autoSNISANValidation
        alpnProtocols = spec.alpnProtocols
        sourceDigest = spec.sourceDigest
    }

    /// Adds the TLS client handlers to a new upstream connection to a host named `hostname`
    /// (its endpoint name or address). `alpnFallback` is offered when `alpn_protocols` is empty.
    public func addHandlers(to channel: any Channel, hostname: String, alpnFallback: [String]) throws {
        let list = alpnProtocols.isEmpty ? alpnFallback : alpnProtocols
        guard let context = contexts[list] ?? contexts[[]] else { return }
        var sni = serverName
        if autoHostSNI, !hostname.isEmpty, !Self.isIPLiteral(hostname) { sni = hostname }
        var matchers = subjectAltNameMatchers
        if autoSNISANValidation, let name = sni {
            matchers = [SubjectAltNameMatcher(type: .dns, matches: { $0.lowercased() == name.lowercased() })]
        }
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(try NIOSSLClientHandler(context: context, serverHostname: sni))
        try sync.addHandler(TLSHandshakeHandler(stats: stats, worker: nil, subjectAltNameMatchers: matchers,
                                                done: channel.eventLoop.makePromise(), holdsChannelActive: true,
                                                onEstablished: nil))
    }

    /// Succeeds once the connection's handshake completed, fails with a `TLSHandshakeFailure`
    /// (Envoy's transport failure reason) otherwise. Call on the channel's loop right after
    /// the TCP connect; a channel without TLS handlers succeeds at once.
    public static func handshakeCompleted(on channel: any Channel) -> EventLoopFuture<Void> {
        guard channel.isActive else {
            return channel.eventLoop.makeFailedFuture(
                TLSHandshakeFailure(kind: .other, reason: "connection closed during the TLS handshake"))
        }
        guard let handler = try? channel.pipeline.syncOperations.handler(type: TLSHandshakeHandler.self) else {
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        return handler.done.futureResult
    }

    static func isIPLiteral(_ name: String) -> Bool {
        (try? SocketAddress(ipAddress: name, port: 0)) != nil
    }
}
