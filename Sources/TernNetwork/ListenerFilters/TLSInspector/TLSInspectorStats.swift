import TernCore

/// Envoy's `tls_inspector.*` stats. Envoy roots them at the server's scope, not the listener's
/// (Envoy 1.40 prints `tls_inspector.tls_found`), so every listener's inspector shares them.
public final class TLSInspectorStats: Sendable {
    public let clientHelloTooLarge: Counter
    public let tlsFound: Counter
    public let tlsNotFound: Counter
    public let alpnFound: Counter
    public let alpnNotFound: Counter
    public let sniFound: Counter
    public let sniNotFound: Counter

    public init(root: StatScope) {
        let s = root.scope("tls_inspector.")
        clientHelloTooLarge = s.counter("client_hello_too_large")
        tlsFound = s.counter("tls_found")
        tlsNotFound = s.counter("tls_not_found")
        alpnFound = s.counter("alpn_found")
        alpnNotFound = s.counter("alpn_not_found")
        sniFound = s.counter("sni_found")
        sniNotFound = s.counter("sni_not_found")
    }
}
