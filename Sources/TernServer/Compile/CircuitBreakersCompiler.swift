import TernConfig
import TernCore
import TernUpstream

/// Compiles a cluster's `circuit_breakers` into the process-wide `ClusterCircuitBreakers`, with
/// Envoy's defaults (1024 connections, pending and requests, 3 retries) for a priority that has
/// no thresholds. The first `thresholds` entry of a priority wins, as in Envoy.
enum CircuitBreakersCompiler {
    static func compile(_ c: Envoy_Config_Cluster_V3_Cluster, path: String, statName: String,
                        context: CompileContext) throws -> ClusterCircuitBreakers {
        var thresholds = [CircuitBreakerThresholds](repeating: CircuitBreakerThresholds(), count: ResourcePriority.allCases.count)
        var perHost = [Int?](repeating: nil, count: ResourcePriority.allCases.count)
        if c.hasCircuitBreakers {
            let cb = c.circuitBreakers
            var seen = Set<Int>()
            for (i, t) in cb.thresholds.enumerated() {
                let p = "\(path).circuit_breakers.thresholds[\(i)]"
                let priority = try priorityIndex(t.priority, path: p + ".priority")
                guard seen.insert(priority).inserted else { continue }
                thresholds[priority] = try compileThresholds(t, path: p, context: context)
            }
            seen.removeAll()
            for (i, t) in cb.perHostThresholds.enumerated() {
                let p = "\(path).circuit_breakers.per_host_thresholds[\(i)]"
                let priority = try priorityIndex(t.priority, path: p + ".priority")
                guard seen.insert(priority).inserted else { continue }
                if t.hasMaxPendingRequests || t.hasMaxRequests || t.hasMaxRetries || t.hasRetryBudget || t.hasMaxConnectionPools {
                    context.warn(p, "only max_connections is supported in per_host_thresholds (as in Envoy); the rest is ignored")
                }
                perHost[priority] = t.hasMaxConnections ? Int(t.maxConnections.value) : nil
            }
        }
        return ClusterCircuitBreakers(thresholds: thresholds, perHostMaxConnections: perHost,
                                      root: context.stats.root, statName: statName)
    }

    private static func priorityIndex(_ p: Envoy_Config_Core_V3_RoutingPriority, path: String) throws -> Int {
        switch p {
        case .default: ResourcePriority.default.rawValue
        case .high: ResourcePriority.high.rawValue
        case .UNRECOGNIZED(let v): throw CompileError(path, "unknown routing priority \(v)")
        }
    }

    private static func compileThresholds(_ t: Envoy_Config_Cluster_V3_CircuitBreakers.Thresholds, path: String,
                                          context: CompileContext) throws -> CircuitBreakerThresholds {
        var out = CircuitBreakerThresholds()
        if t.hasMaxConnections { out.maxConnections = Int(t.maxConnections.value) }
        if t.hasMaxPendingRequests { out.maxPendingRequests = Int(t.maxPendingRequests.value) }
        if t.hasMaxRequests { out.maxRequests = Int(t.maxRequests.value) }
        if t.hasMaxRetries { out.maxRetries = Int(t.maxRetries.value) }
        out.trackRemaining = t.trackRemaining
        if t.hasMaxConnectionPools {
            context.warn(path + ".max_connection_pools", "not implemented by Tern yet; ignored")
        }
        if t.hasRetryBudget {
            var budget = CircuitBreakerThresholds.RetryBudget()
            let b = t.retryBudget
            if b.hasBudgetPercent {
                let v = b.budgetPercent.value
                guard v >= 0, v <= 100 else {
                    throw CompileError(path + ".retry_budget.budget_percent.value", "must be between 0 and 100, got \(v)")
                }
                budget.percent = v
            }
            if b.hasMinRetryConcurrency { budget.minRetryConcurrency = Int(b.minRetryConcurrency.value) }
            out.retryBudget = budget
        }
        return out
    }
}
