/// A compiled `envoy.config.rbac.v3.Principal`: who the downstream is.
public indirect enum RBACPrincipal: Sendable {
    case any
    /// `and_ids`: every id matches.
    case and([RBACPrincipal])
    /// `or_ids`: some id matches.
    case or([RBACPrincipal])
    /// `not_id`.
    case not(RBACPrincipal)
    /// `direct_remote_ip`, and the deprecated `source_ip` (Envoy's connection remote address,
    /// the same as the direct peer without a proxy-protocol listener filter).
    case directRemoteIP(RBACCIDR)
    /// `remote_ip`: the client address after `x-forwarded-for` processing.
    case remoteIP(RBACCIDR)
    /// `header`, `url_path`: rules on the HTTP request.
    case request(any RBACRequestRule)
    /// `authenticated`: a TLS connection; with `principal_name`, its peer certificate's URI
    /// SANs, then DNS SANs, then subject must match, as in Envoy.
    case authenticated((@Sendable (String) -> Bool)?)
    /// Known at compile time (a `url_path` at network level never matches).
    case constant(Bool)

    public func matches(_ request: RBACRequest) -> Bool {
        switch self {
        case .any: return true
        case .and(let ids): return ids.allSatisfy { $0.matches(request) }
        case .or(let ids): return ids.contains { $0.matches(request) }
        case .not(let id): return !id.matches(request)
        case .directRemoteIP(let cidr): return cidr.contains(request.directRemoteAddress)
        case .remoteIP(let cidr): return cidr.contains(request.remoteAddress)
        case .request(let rule): return rule.matches(request)
        case .authenticated(let principalName):
            guard let tls = request.tls else { return false }
            guard let principalName else { return true }
            let names = tls.peerSubjectAltNames
            return names.uri.contains(where: principalName) || names.dns.contains(where: principalName)
                || principalName(tls.peerSubject)
        case .constant(let value): return value
        }
    }
}
