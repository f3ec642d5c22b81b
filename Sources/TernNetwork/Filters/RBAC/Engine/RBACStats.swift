import TernCore

/// Envoy's RBAC filter counters: `<prefix>rbac.[<rules_stat_prefix>.]allowed|denied` and
/// `<prefix>rbac.[<shadow_rules_stat_prefix>.]shadow_allowed|shadow_denied`, where the prefix is
/// `http.<hcm stat_prefix>.` for the HTTP filter and the filter's `stat_prefix` for the network
/// one. Each part is joined with a `.` unless it already ends in one (Envoy's `statPrefixJoin`).
public final class RBACStats: Sendable {
    public let allowed: Counter
    public let denied: Counter
    public let shadowAllowed: Counter
    public let shadowDenied: Counter

    public init(scope: StatScope, rulesPrefix: String, shadowRulesPrefix: String) {
        let rbac = scope.scope("rbac.")
        let rules = rulesPrefix.isEmpty ? rbac : rbac.scope(Self.joined(rulesPrefix))
        let shadow = shadowRulesPrefix.isEmpty ? rbac : rbac.scope(Self.joined(shadowRulesPrefix))
        allowed = rules.counter("allowed")
        denied = rules.counter("denied")
        shadowAllowed = shadow.counter("shadow_allowed")
        shadowDenied = shadow.counter("shadow_denied")
    }

    /// `prefix` ending in exactly one `.`.
    public static func joined(_ prefix: String) -> String {
        prefix.hasSuffix(".") ? prefix : prefix + "."
    }
}
