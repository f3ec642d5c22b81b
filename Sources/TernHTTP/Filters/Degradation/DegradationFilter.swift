import NIOCore
import NIOHTTP1
import TernNetwork
import TernUpstream

/// One stream of `tern.filters.http.degradation`. At request headers it looks at the matched
/// route: when the route carries a degradation policy and the cluster it forwards to cannot
/// serve (no healthy host, or the circuit breaker for the route's priority is open), it answers
/// from the fallback — locally, or by sending the request to the fallback cluster.
/// The check reads only the worker's published host set and the cluster's breaker gauges.
final class DegradationFilter: HTTPFilter {
    private let factory: DegradationFilterFactory
    /// Response headers to add when the fallback cluster answers.
    private var responseHeaders: HeaderMutations?

    init(factory: DegradationFilterFactory) {
        self.factory = factory
    }

    enum Trigger { case noHealthyUpstream, circuitOpen }

    func decodeHeaders(_ head: inout HTTPRequestHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus {
        guard let policy = stream.perRouteConfig(factory.name, as: DegradationPolicy.self),
              let route = stream.route, case .forward(let action) = route.action,
              let trigger = Self.trigger(policy, action: action, head: head, stream: stream)
        else { return .continueIteration }
        let worker = stream.worker.index
        switch trigger {
        case .noHealthyUpstream: factory.stats.noHealthyUpstream.inc(worker: worker)
        case .circuitOpen: factory.stats.circuitOpen.inc(worker: worker)
        }
        switch policy.fallback {
        case .directResponse(let status, let body):
            factory.stats.fallbackDirectResponse.inc(worker: worker)
            var headers = HTTPHeaders()
            policy.responseHeaders.apply(to: &headers, stream: stream.info)
            stream.sendLocalReply(status: HTTPResponseStatus(statusCode: status), body: body,
                                  details: Self.details(trigger), flags: [], headers: headers.isEmpty ? nil : headers)
            return .stopIteration
        case .cluster(let name):
            factory.stats.fallbackCluster.inc(worker: worker)
            stream.upstreamClusterOverride = name
            responseHeaders = policy.responseHeaders
            return .continueIteration
        }
    }

    func encodeHeaders(_ head: inout HTTPResponseHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus {
        responseHeaders?.apply(to: &head.headers, stream: stream.info)
        return .continueIteration
    }

    static func details(_ trigger: Trigger) -> String {
        switch trigger {
        case .noHealthyUpstream: "degraded_no_healthy_upstream"
        case .circuitOpen: "degraded_circuit_open"
        }
    }

    /// Why the route should degrade now, or nil when its cluster can serve. A weighted route
    /// degrades only when none of its clusters can serve.
    static func trigger(_ policy: DegradationPolicy, action: ForwardAction, head: HTTPRequestHead,
                        stream: any HTTPFilterCallbacks) -> Trigger? {
        let names: [String]
        switch action.clusters {
        case .named(let name): names = [name]
        case .fromHeader(let header): names = head.headers.first(name: header).map { [$0] } ?? []
        case .weighted(let targets, _): names = targets.map(\.name)
        }
        var found: Trigger?
        for name in names {
            guard let cluster = stream.worker.clusters.cluster(name) else { continue }  // the router answers 503 NC
            if policy.onNoHealthyUpstream && !cluster.hostSet.prioritySet.levels.contains(where: { !$0.healthy.isEmpty }) {
                found = found ?? .noHealthyUpstream
                continue
            }
            let breaker = cluster.config.circuitBreakers.manager(action.priority)
            if policy.onCircuitOpen && (!breaker.requests.canCreate || !breaker.pendingRequests.canCreate) {
                found = found ?? .circuitOpen
                continue
            }
            return nil
        }
        return found
    }
}
