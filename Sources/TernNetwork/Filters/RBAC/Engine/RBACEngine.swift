// The RBAC decision, shared by envoy.filters.http.rbac and envoy.filters.network.rbac: a pure
// value compiled once from `envoy.config.rbac.v3.RBAC` and asked about one `RBACRequest`.
// It touches no socket, stat or stream; the filters count and enforce its decisions.

/// A compiled `envoy.config.rbac.v3.RBAC`: an action and its named policies.
public struct RBACEngine: Sendable {
    /// `RBAC.Action`.
    public enum Action: Sendable {
        /// Allowed iff some policy matches.
        case allow
        /// Denied iff some policy matches.
        case deny
        /// Always allowed; whether a policy matched is Envoy's `access_log_hint`.
        case log
    }

    /// One decision: allowed or not, and the policy that matched (the first by name), if any.
    public struct Decision: Sendable, Equatable {
        public let allowed: Bool
        public let matchedPolicy: String?
        /// For `LOG`: a policy matched, so the request should be logged (Envoy's
        /// `access_log_hint`); false for the other actions.
        public let shouldLog: Bool
    }

    /// A policy with its name from the `policies` map.
    public struct NamedPolicy: Sendable {
        public let name: String
        public let policy: RBACPolicy
    }

    public let action: Action
    /// Sorted by name: Envoy evaluates policies in lexicographic order and reports the first
    /// match.
    public let policies: [NamedPolicy]

    public init(action: Action, policies: [String: RBACPolicy]) {
        self.action = action
        self.policies = policies.keys.sorted().map { NamedPolicy(name: $0, policy: policies[$0]!) }
    }

    /// The first policy (by name) that matches `request`.
    public func matchingPolicy(_ request: RBACRequest) -> String? {
        for p in policies where p.policy.matches(request) { return p.name }
        return nil
    }

    public func decide(_ request: RBACRequest) -> Decision {
        let matched = matchingPolicy(request)
        switch action {
        case .allow: return Decision(allowed: matched != nil, matchedPolicy: matched, shouldLog: false)
        case .deny: return Decision(allowed: matched == nil, matchedPolicy: matched, shouldLog: false)
        case .log: return Decision(allowed: true, matchedPolicy: matched, shouldLog: matched != nil)
        }
    }

    /// Envoy's response code details (and connection termination details) for a denial:
    /// `rbac_access_denied_matched_policy[<policy>]`, `none` when no policy matched, whitespace
    /// in the name replaced by `_` so access-log fields stay one token.
    public static func deniedDetails(_ decision: Decision) -> String {
        let name = decision.matchedPolicy.map { String($0.map { $0.isWhitespace ? "_" : $0 }) } ?? "none"
        return "rbac_access_denied_matched_policy[\(name)]"
    }
}
