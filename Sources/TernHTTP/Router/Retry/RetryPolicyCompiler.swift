import NIOCore
import TernConfig
import TernUpstream

/// Compiles `envoy.config.route.v3.RetryPolicy` (route level overriding virtual host level) and
/// the route's `priority` into its `ForwardAction`.
enum RetryPolicyCompiler {
    static let previousHostsName = "envoy.retry_host_predicates.previous_hosts"
    static let previousHostsType = "envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"

    /// `action` with the retry policy, attempt-count header and priority of its route applied.
    static func attach(to action: RouteEntry.Action, route r: Envoy_Config_Route_V3_Route, virtualHost vh: Envoy_Config_Route_V3_VirtualHost,
                       routePath: String, virtualHostPath: String, context: CompileContext) throws -> RouteEntry.Action {
        guard case .forward(let a) = action, case .route(let ra)? = r.action else { return action }
        if ra.hasRetryPolicy {
            a.retryPolicy = try compile(ra.retryPolicy, path: routePath + ".route.retry_policy", context: context)
        } else if vh.hasRetryPolicy {
            a.retryPolicy = try compile(vh.retryPolicy, path: virtualHostPath + ".retry_policy", context: context)
        }
        a.includeAttemptCount = vh.includeRequestAttemptCount
        switch ra.priority {
        case .default: a.priority = .default
        case .high: a.priority = .high
        case .UNRECOGNIZED(let v): throw CompileError(routePath + ".route.priority", "unknown routing priority \(v)")
        }
        return .forward(a)
    }

    static func compile(_ p: Envoy_Config_Route_V3_RetryPolicy, path: String, context: CompileContext) throws -> RetryPolicy {
        var out = RetryPolicy()
        let (on, unknown) = RetryPolicy.RetryOn.parse(Substring(p.retryOn), http: true, grpc: true)
        out.retryOn = on
        for token in unknown {
            context.warn(path + ".retry_on", "'\(token)' is not a retry condition Tern knows; ignored")
        }
        if p.hasNumRetries { out.numRetries = Int(p.numRetries.value) }
        if p.hasPerTryTimeout, !p.perTryTimeout.isZero { out.perTryTimeout = p.perTryTimeout.timeAmount }
        if p.hasPerTryIdleTimeout, !p.perTryIdleTimeout.isZero {
            context.warn(path + ".per_try_idle_timeout", "not implemented by Tern yet; ignored")
        }
        out.retriableStatusCodes = p.retriableStatusCodes.map { Int($0) }
        if p.hasRetryBackOff {
            let b = p.retryBackOff
            guard b.hasBaseInterval, b.baseInterval.timeAmount > .zero else {
                throw CompileError(path + ".retry_back_off.base_interval", "is required and must be greater than 0")
            }
            out.baseInterval = b.baseInterval.timeAmount
            out.maxInterval = out.baseInterval * 10
            if b.hasMaxInterval {
                guard b.maxInterval.timeAmount > .zero else {
                    throw CompileError(path + ".retry_back_off.max_interval", "must be greater than 0")
                }
                guard b.maxInterval.timeAmount >= out.baseInterval else {
                    throw CompileError(path + ".retry_back_off.max_interval", "must be greater than or equal to base_interval")
                }
                out.maxInterval = b.maxInterval.timeAmount
            }
        }
        for (i, pred) in p.retryHostPredicate.enumerated() {
            let pp = "\(path).retry_host_predicate[\(i)]"
            var typeName = ""
            if case .typedConfig(let any)? = pred.configType {
                typeName = any.typeURL.split(separator: "/").last.map(String.init) ?? ""
            }
            if pred.name == previousHostsName || typeName == previousHostsType {
                out.avoidPreviousHosts = true
            } else {
                context.warn(pp, "retry host predicate '\(pred.name.isEmpty ? typeName : pred.name)' is not implemented by Tern; ignored")
            }
        }
        if p.hostSelectionRetryMaxAttempts < 0 {
            throw CompileError(path + ".host_selection_retry_max_attempts", "must not be negative")
        }
        // Unset means "retry host selection once", as Envoy documents.
        out.hostSelectionRetryMaxAttempts = p.hostSelectionRetryMaxAttempts == 0 ? 1 : Int(min(p.hostSelectionRetryMaxAttempts, 100))
        return out
    }
}
