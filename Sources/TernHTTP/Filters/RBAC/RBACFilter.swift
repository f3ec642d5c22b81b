import NIOHTTP1
import TernNetwork

/// The RBAC filter on one stream. On the request headers it runs the shadow engine (counted,
/// never enforced) and then the enforced one; a denial answers `403 RBAC: access denied` with
/// Envoy's details `rbac_access_denied_matched_policy[<policy>]` and stops the chain there.
/// The route's `RBACPerRoute` replaces the filter's rules, or disables the filter, for that route.
final class RBACFilter: HTTPFilter {
    let factory: RBACFilterFactory

    init(factory: RBACFilterFactory) {
        self.factory = factory
    }

    func decodeHeaders(_ head: inout HTTPRequestHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus {
        let config = stream.perRouteConfig(factory.name, as: RBACFilterConfig.self) ?? factory.config
        guard config.engine != nil || config.shadowEngine != nil else { return .continueIteration }
        let request = RBACRequest(directRemoteAddress: stream.connection.remoteAddress,
                                  remoteAddress: stream.info.trustedDownstreamRemoteAddress ?? stream.connection.remoteAddress,
                                  localAddress: stream.connection.localAddress,
                                  http: RBACHTTPRequest(head: head), tls: stream.connection.tls,
                                  requestedServerName: stream.connection.requestedServerName)
        let stats = factory.stats
        let w = stream.worker.index
        if let shadow = config.shadowEngine {
            if shadow.decide(request).allowed { stats.shadowAllowed.inc(worker: w) } else { stats.shadowDenied.inc(worker: w) }
        }
        guard let engine = config.engine else { return .continueIteration }
        let decision = engine.decide(request)
        if decision.allowed {
            stats.allowed.inc(worker: w)
            return .continueIteration
        }
        stats.denied.inc(worker: w)
        stream.sendLocalReply(status: .forbidden, body: "RBAC: access denied", details: RBACEngine.deniedDetails(decision),
                              flags: [], headers: nil)
        return .stopIteration
    }
}
