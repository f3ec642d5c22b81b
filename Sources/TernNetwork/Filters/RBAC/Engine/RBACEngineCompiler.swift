import TernConfig

/// Compiles `envoy.config.rbac.v3.RBAC` into an `RBACEngine`, validating as Envoy does; every
/// error names its field path. HTTP-level matchers come from `matchers` (TernHTTP).
package struct RBACEngineCompiler: Sendable {
    /// Which filter the rules are for. The network filter refuses `header` rules as Envoy does
    /// (there are no headers on a connection) and its `url_path` rules never match.
    package enum Level: Sendable {
        case http, network
    }

    let matchers: any RBACMatcherCompiler
    let level: Level

    package init(matchers: any RBACMatcherCompiler, level: Level) {
        self.matchers = matchers
        self.level = level
    }

    package func compile(_ proto: Envoy_Config_Rbac_V3_RBAC, path: String) throws -> RBACEngine {
        let action: RBACEngine.Action
        switch proto.action {
        case .allow: action = .allow
        case .deny: action = .deny
        case .log: action = .log
        case .UNRECOGNIZED(let n): throw CompileError(path + ".action", "unknown action \(n) (ALLOW, DENY or LOG)")
        }
        var policies: [String: RBACPolicy] = [:]
        for name in proto.policies.keys.sorted() {
            let p = proto.policies[name]!
            let ppath = "\(path).policies.\(name)"
            guard !p.permissions.isEmpty else {
                throw CompileError(ppath + ".permissions", "a policy needs at least one permission (use `any: true` to match every action)")
            }
            guard !p.principals.isEmpty else {
                throw CompileError(ppath + ".principals", "a policy needs at least one principal (use `any: true` to match every downstream)")
            }
            let permissions = try p.permissions.enumerated().map { try permission($1, path: "\(ppath).permissions[\($0)]") }
            let principals = try p.principals.enumerated().map { try principal($1, path: "\(ppath).principals[\($0)]") }
            policies[name] = RBACPolicy(permissions: permissions, principals: principals)
        }
        return RBACEngine(action: action, policies: policies)
    }

    // MARK: - permissions

    func permission(_ proto: Envoy_Config_Rbac_V3_Permission, path: String) throws -> RBACPermission {
        switch proto.rule {
        case nil:
            throw CompileError(path, "a permission needs one of and_rules, or_rules, any, header, url_path, destination_ip, "
                                   + "destination_port, destination_port_range, not_rule, requested_server_name")
        case .any(let value):
            guard value else { throw CompileError(path + ".any", "must be true when set") }
            return .any
        case .andRules(let set):
            return .and(try permissions(set.rules, path: path + ".and_rules.rules"))
        case .orRules(let set):
            return .or(try permissions(set.rules, path: path + ".or_rules.rules"))
        case .notRule(let rule):
            return .not(try permission(rule, path: path + ".not_rule"))
        case .header(let header):
            return .request(try headerRule(header, path: path + ".header"))
        case .urlPath(let matcher):
            return try urlPathRule(matcher, path: path + ".url_path").map(RBACPermission.request) ?? .constant(false)
        case .destinationIp(let cidr):
            return .destinationIP(try RBACCIDR(proto: cidr, path: path + ".destination_ip"))
        case .destinationPort(let port):
            guard port <= 65535 else { throw CompileError(path + ".destination_port", "port \(port) is out of range (0-65535)") }
            return .destinationPort(Int(port))
        case .destinationPortRange(let range):
            let rpath = path + ".destination_port_range"
            guard (0...65536).contains(range.start) else { throw CompileError(rpath + ".start", "range start \(range.start) is out of bounds") }
            guard (0...65536).contains(range.end) else { throw CompileError(rpath + ".end", "range end \(range.end) is out of bounds") }
            guard range.start < range.end else {
                throw CompileError(rpath, "range start \(range.start) cannot be greater or equal than range end \(range.end)")
            }
            return .destinationPortRange(Int(range.start), Int(range.end))
        case .requestedServerName(let matcher):
            return .requestedServerName(try matchers.stringMatcher(matcher, path: path + ".requested_server_name"))
        }
    }

    private func permissions(_ rules: [Envoy_Config_Rbac_V3_Permission], path: String) throws -> [RBACPermission] {
        guard !rules.isEmpty else { throw CompileError(path, "needs at least one rule") }
        return try rules.enumerated().map { try permission($1, path: "\(path)[\($0)]") }
    }

    // MARK: - principals

    func principal(_ proto: Envoy_Config_Rbac_V3_Principal, path: String) throws -> RBACPrincipal {
        switch proto.identifier {
        case nil:
            throw CompileError(path, "a principal needs one of and_ids, or_ids, any, authenticated, source_ip, "
                                   + "direct_remote_ip, remote_ip, header, url_path, not_id")
        case .any(let value):
            guard value else { throw CompileError(path + ".any", "must be true when set") }
            return .any
        case .andIds(let set):
            return .and(try principals(set.ids, path: path + ".and_ids.ids"))
        case .orIds(let set):
            return .or(try principals(set.ids, path: path + ".or_ids.ids"))
        case .notID(let id):
            return .not(try principal(id, path: path + ".not_id"))
        case .sourceIp(let cidr):
            return .directRemoteIP(try RBACCIDR(proto: cidr, path: path + ".source_ip"))
        case .directRemoteIp(let cidr):
            return .directRemoteIP(try RBACCIDR(proto: cidr, path: path + ".direct_remote_ip"))
        case .remoteIp(let cidr):
            return .remoteIP(try RBACCIDR(proto: cidr, path: path + ".remote_ip"))
        case .header(let header):
            return .request(try headerRule(header, path: path + ".header"))
        case .urlPath(let matcher):
            return try urlPathRule(matcher, path: path + ".url_path").map(RBACPrincipal.request) ?? .constant(false)
        case .authenticated(let authenticated):
            // Envoy: any TLS connection without principal_name; with it, the peer certificate's
            // URI SANs, DNS SANs, then subject.
            return .authenticated(authenticated.hasPrincipalName
                ? try matchers.stringMatcher(authenticated.principalName, path: path + ".authenticated.principal_name")
                : nil)
        }
    }

    private func principals(_ ids: [Envoy_Config_Rbac_V3_Principal], path: String) throws -> [RBACPrincipal] {
        guard !ids.isEmpty else { throw CompileError(path, "needs at least one id") }
        return try ids.enumerated().map { try principal($1, path: "\(path)[\($0)]") }
    }

    // MARK: - HTTP-level rules

    private func headerRule(_ proto: Envoy_Config_Route_V3_HeaderMatcher, path: String) throws -> any RBACRequestRule {
        if level == .network {
            throw CompileError(path, "header rules are not supported by the RBAC network filter (a connection has no headers)")
        }
        return try matchers.header(proto, path: path)
    }

    /// Nil at network level, where a path never matches (validated all the same).
    private func urlPathRule(_ proto: Envoy_Type_Matcher_V3_PathMatcher, path: String) throws -> (any RBACRequestRule)? {
        let rule = try matchers.urlPath(proto, path: path)
        return level == .network ? nil : rule
    }
}
