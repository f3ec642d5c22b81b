import NIOCore
import NIOHTTP1

/// `x-envoy-upstream-rq-timeout-ms`, as Envoy's router reads it: the request's own route timeout
/// in milliseconds (0: none), replacing the route's, and removed before the request goes
/// upstream. Only trusted requests still carry it: the connection manager strips it from every
/// other client (RequestHeaderPolicy.markTrust). A grpc-timeout that already set the route
/// timeout wins, as in Envoy.
extension RouterFilter {
    func applyingHeaderTimeout(_ action: ForwardAction, head: inout HTTPRequestHead) -> ForwardAction {
        guard head.headers.contains(name: "x-envoy-upstream-rq-timeout-ms") else { return action }
        let value = head.headers.first(name: "x-envoy-upstream-rq-timeout-ms")
        head.headers.remove(name: "x-envoy-upstream-rq-timeout-ms")
        guard !timeoutFromGRPCHeader, let text = value, let ms = Int64(text), ms >= 0 else { return action }
        return action.withTimeout(ms == 0 ? nil : .milliseconds(ms))
    }
}
