import NIOCore
import NIOHTTP1

/// The deprecated route fields `max_grpc_timeout` / `grpc_timeout_offset`, as Envoy's
/// `FilterUtility::finalTimeout` applies them: for a gRPC request the route timeout is the
/// request's `grpc-timeout` less the offset, capped by the maximum (0: no cap; no header and
/// no cap: no timeout), and the upstream is sent that timeout (or the shorter per-try timeout)
/// in `grpc-timeout`. Its expiry is the router's ordinary `upstream request timeout` (504 `UT`,
/// which a gRPC client sees as UNAVAILABLE).
extension RouterFilter {
    /// `action` with the route timeout this request's grpc-timeout gives it, or `action` itself
    /// when the route does not use grpc-timeout or the request is not gRPC.
    func applyingGRPCRouteTimeout(_ action: ForwardAction, head: inout HTTPRequestHead) -> ForwardAction {
        guard let policy = action.grpcTimeout?.headerRouteTimeout, GRPCLocalReply.isGRPC(head.headers) else { return action }
        let global = policy.routeTimeout(head.headers)
        let adjusted = action.withTimeout(global > 0 ? .milliseconds(global) : nil)
        timeoutFromGRPCHeader = true
        // The upstream learns the time it really has: the per-try timeout when it is shorter.
        var expected = action.retryPolicy?.perTryTimeout?.wholeMilliseconds ?? 0
        if global != 0 && expected >= global { expected = 0 }
        if expected == 0 { expected = global }
        if expected > 0 {
            head.headers.replaceOrAdd(name: "grpc-timeout", value: GRPCTimeout.headerValue(milliseconds: expected))
        }
        return adjusted
    }

    func startGRPCRouteTimer(_ timeout: TimeAmount) {
        grpcRouteTimer = try? stream.worker.eventLoop.assumeIsolated().scheduleCallback(
            in: timeout, handler: GRPCRouteTimer(router: self))
    }

    func cancelGRPCRouteTimer() {
        guard let timer = grpcRouteTimer else { return }
        grpcRouteTimer = nil
        stream.worker.eventLoop.assumeIsolated().cancelScheduledCallback(timer)
    }
}

/// The route timeout taken from grpc-timeout. It holds the router until it fires or the
/// router's clean-up cancels it.
struct GRPCRouteTimer: NIOScheduledCallbackHandler {
    let router: RouterFilter
    func handleScheduledCallback(eventLoop: some EventLoop) {
        router.grpcRouteTimer = nil
        router.timerExpired()
    }
}
