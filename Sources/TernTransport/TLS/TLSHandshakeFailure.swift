import Foundation
internal import NIOSSL

/// Why a handshake failed, in the terms of Envoy's `ssl.*` stats, and the failure as Envoy
/// words it in `%UPSTREAM_TRANSPORT_FAILURE_REASON%`
/// (`TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end`).
public struct TLSHandshakeFailure: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A required peer certificate was not sent (`ssl.fail_verify_no_cert`).
        case noPeerCertificate
        /// The peer certificate did not validate (`ssl.fail_verify_error`).
        case verifyFailed
        /// The peer certificate matched no `match_typed_subject_alt_names` (`ssl.fail_verify_san`).
        case subjectAltNameMismatch
        /// Anything else: protocol errors, no shared cipher, a peer that is not TLS.
        case other
    }

    public let kind: Kind
    /// Envoy's transport failure reason.
    public let reason: String
    public var description: String { reason }

    init(kind: Kind, reason: String) {
        self.kind = kind
        self.reason = reason
    }

    /// The certificate passed BoringSSL's checks but not SAN matching (Tern checks SANs after
    /// the handshake; Envoy reports the same verification error).
    static let subjectAltNameMismatch = TLSHandshakeFailure(
        kind: .subjectAltNameMismatch,
        reason: "TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end")

    /// Classifies an error NIOSSL raised during the handshake; nil for errors that are not
    /// handshake failures (the connection's other errors pass on unchanged).
    static func classify(_ error: any Error) -> TLSHandshakeFailure? {
        guard let error = error as? NIOSSLError, case .handshakeFailed(let inner) = error else { return nil }
        let stack: [BoringSSLInternalError]
        switch inner {
        case .sslError(let s), .unknownError(let s): stack = s
        default: stack = []
        }
        // `Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at file:line`
        var parts: [String] = []
        for entry in stack {
            // `lib:func:reason` (after `error:<hex>:`, up to ` at <file>:<line>`), prefixed by
            // the decimal code as Envoy prints it.
            let text = entry.description
            let words = text.split(separator: " ", maxSplits: 2)
            guard words.count == 3, let start = text.range(of: " error:") else { continue }
            var rest = text[start.upperBound...]
            if let at = rest.range(of: " at ", options: .backwards) { rest = rest[..<at.lowerBound] }
            let fields = rest.split(separator: ":", maxSplits: 1)
            parts.append("\(words[1]):\(fields.count == 2 ? String(fields[1]) : String(rest))")
        }
        let joined = parts.joined(separator: " ")
        let kind: Kind
        if joined.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || joined.contains("CERTIFICATE_REQUIRED") {
            kind = .noPeerCertificate
        } else if joined.contains("CERTIFICATE_VERIFY_FAILED") {
            kind = .verifyFailed
        } else {
            kind = .other
        }
        let reason = parts.isEmpty ? "TLS_error:|\(inner):TLS_error_end"
            : "TLS_error:" + parts.map { "|" + $0 }.joined() + ":TLS_error_end"
        return TLSHandshakeFailure(kind: kind, reason: reason)
    }

    /// Counts the failure on `stats` as Envoy does: a verification failure under its own name
    /// only, anything else as `connection_error`. `worker` nil: a shared slot (upstream
    /// connections, which a per-connection handshake makes rare enough).
    func count(on stats: TLSStats, worker: Int?) {
        switch kind {
        case .noPeerCertificate: TLSStats.inc(stats.failVerifyNoCert, worker: worker)
        case .verifyFailed: TLSStats.inc(stats.failVerifyError, worker: worker)
        case .subjectAltNameMismatch: TLSStats.inc(stats.failVerifySAN, worker: worker)
        case .other: TLSStats.inc(stats.connectionError, worker: worker)
        }
    }
}
