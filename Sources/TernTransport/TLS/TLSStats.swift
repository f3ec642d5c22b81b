import TernCore

/// Envoy's `ssl.*` stats of one TLS context: under the listener (`listener.<prefix>.ssl.`) for
/// a filter chain's `DownstreamTlsContext`, under the cluster (`cluster.<name>.ssl.`) for an
/// `UpstreamTlsContext`. Made at compile time, so a reload finds the same counters again.
public final class TLSStats: Sendable {
    /// Handshakes that completed (and passed SAN matching).
    public let handshake: Counter
    /// Handshakes that failed for a reason other than certificate verification (Envoy counts
    /// those only under `fail_verify_*`).
    public let connectionError: Counter
    /// Completed handshakes in which the peer sent no certificate (none was required).
    public let noCertificate: Counter
    /// A certificate was required and the peer sent none.
    public let failVerifyNoCert: Counter
    /// The peer's certificate did not validate against `trusted_ca`.
    public let failVerifyError: Counter
    /// The peer's certificate matched none of `match_typed_subject_alt_names`.
    public let failVerifySAN: Counter
    /// `ssl.versions.<TLSv1.2|TLSv1.3|...>`: completed handshakes by negotiated version.
    let versions: [String: Counter]

    /// `scope` is the owner's scope (`listener.<prefix>.` or `cluster.<name>.`); the stats are
    /// made under its `ssl.` child.
    public init(scope: StatScope) {
        let s = scope.scope("ssl.")
        handshake = s.counter("handshake")
        connectionError = s.counter("connection_error")
        noCertificate = s.counter("no_certificate")
        failVerifyNoCert = s.counter("fail_verify_no_cert")
        failVerifyError = s.counter("fail_verify_error")
        failVerifySAN = s.counter("fail_verify_san")
        versions = Dictionary(uniqueKeysWithValues: ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"].map {
            ($0, s.counter("versions.\($0)"))
        })
    }

    /// Counts on the worker's slot, or the shared one off the workers.
    static func inc(_ counter: Counter, worker: Int?) {
        if let worker { counter.inc(worker: worker) } else { counter.incShared() }
    }
}
