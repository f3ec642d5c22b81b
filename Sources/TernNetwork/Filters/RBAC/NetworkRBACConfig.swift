import NIOCore
import TernConfig

/// The compiled network RBAC config: enforced and shadow engines, stats, enforcement mode.
struct NetworkRBACConfig: Sendable {
    /// Nil without `rules`: every connection is allowed and nothing is counted.
    let engine: RBACEngine?
    let shadowEngine: RBACEngine?
    let stats: RBACStats
    /// `CONTINUOUS`: decide again on every read (the same answer until Tern has protocol
    /// decoders that add dynamic metadata, but counted each time as Envoy does).
    let continuous: Bool
    /// `delay_deny`: a denied connection stops being read and is closed after this long.
    let delayDeny: TimeAmount?

    init(proto: Envoy_Extensions_Filters_Network_Rbac_V3_RBAC, path: String, matchers: any RBACMatcherCompiler,
         context: CompileContext) throws {
        guard !proto.statPrefix.isEmpty else { throw CompileError(path + ".stat_prefix", "stat_prefix is required") }
        let compiler = RBACEngineCompiler(matchers: matchers, level: .network)
        engine = proto.hasRules ? try compiler.compile(proto.rules, path: path + ".rules") : nil
        shadowEngine = proto.hasShadowRules ? try compiler.compile(proto.shadowRules, path: path + ".shadow_rules") : nil
        switch proto.enforcementType {
        case .oneTimeOnFirstByte: continuous = false
        case .continuous: continuous = true
        case .UNRECOGNIZED(let n):
            throw CompileError(path + ".enforcement_type", "unknown enforcement type \(n) (ONE_TIME_ON_FIRST_BYTE or CONTINUOUS)")
        }
        if proto.hasDelayDeny {
            let d = proto.delayDeny
            guard d.seconds >= 0, d.nanos >= 0 else { throw CompileError(path + ".delay_deny", "must not be negative") }
            let nanos = d.seconds * 1_000_000_000 + Int64(d.nanos)
            delayDeny = nanos > 0 ? .nanoseconds(nanos) : nil
        } else {
            delayDeny = nil
        }
        stats = RBACStats(scope: context.stats.root.scope(RBACStats.joined(proto.statPrefix)),
                          rulesPrefix: "", shadowRulesPrefix: proto.shadowRulesStatPrefix)
    }
}
