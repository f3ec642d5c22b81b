/// A compiled `envoy.config.rbac.v3.Permission`: what the connection or request does.
public indirect enum RBACPermission: Sendable {
    case any
    /// `and_rules`: every rule matches.
    case and([RBACPermission])
    /// `or_rules`: some rule matches.
    case or([RBACPermission])
    /// `not_rule`.
    case not(RBACPermission)
    /// `destination_ip`: the local address of the connection.
    case destinationIP(RBACCIDR)
    /// `destination_port`.
    case destinationPort(Int)
    /// `destination_port_range`: start inclusive, end exclusive.
    case destinationPortRange(Int, Int)
    /// `header`, `url_path`: rules on the HTTP request.
    case request(any RBACRequestRule)
    /// `requested_server_name`: the connection's SNI as tls_inspector read it (empty without).
    case requestedServerName(@Sendable (String) -> Bool)
    /// A rule whose answer is known when the config is compiled (`url_path` at network level).
    case constant(Bool)

    public func matches(_ request: RBACRequest) -> Bool {
        switch self {
        case .any: return true
        case .and(let rules): return rules.allSatisfy { $0.matches(request) }
        case .or(let rules): return rules.contains { $0.matches(request) }
        case .not(let rule): return !rule.matches(request)
        case .destinationIP(let cidr): return cidr.contains(request.localAddress)
        case .destinationPort(let port): return request.localAddress?.port == port
        case .destinationPortRange(let start, let end):
            guard let port = request.localAddress?.port else { return false }
            return port >= start && port < end
        case .request(let rule): return rule.matches(request)
        case .requestedServerName(let matches): return matches(request.requestedServerName)
        case .constant(let value): return value
        }
    }
}
