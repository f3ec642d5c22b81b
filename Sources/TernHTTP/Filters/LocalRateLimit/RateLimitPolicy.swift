import NIOCore
import NIOHTTP1
import TernConfig

/// One compiled `envoy.config.route.v3.RateLimit` of the filter's `rate_limits`: its actions, in
/// order, make one descriptor per request, or none when an action finds nothing to say.
struct RateLimitPolicy: Sendable {
    let actions: [RateLimitAction]

    init(proto: Envoy_Config_Route_V3_RateLimit, path: String, context: CompileContext) throws {
        guard !proto.actions.isEmpty else { throw CompileError(path + ".actions", "at least one action is required") }
        // Envoy's local rate limit documents both as unsupported in its own rate_limits.
        if proto.hasStage { context.warn(path + ".stage", "not used by the local rate limit filter; ignored") }
        if !proto.disableKey.isEmpty { context.warn(path + ".disable_key", "not used by the local rate limit filter; ignored") }
        actions = try proto.actions.enumerated().map { try RateLimitAction(proto: $0.element, path: "\(path).actions[\($0.offset)]") }
    }

    /// The request's descriptor, or nil when an action yields none (or every action skipped).
    func descriptor(for head: HTTPRequestHead, remote: SocketAddress?) -> RateLimitDescriptor? {
        var entries: [RateLimitDescriptor.Entry] = []
        entries.reserveCapacity(actions.count)
        for action in actions {
            switch action.populate(head, remote: remote) {
            case .entry(let e): entries.append(e)
            case .skip: continue
            case .none: return nil
            }
        }
        return entries.isEmpty ? nil : RateLimitDescriptor(entries: entries)
    }
}
