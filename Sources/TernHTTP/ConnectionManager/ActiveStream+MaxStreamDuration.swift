import NIOCore
import NIOHTTP1

/// The route's `max_stream_duration` (Envoy's `ActiveStream::refreshDurationTimeout`): a limit on
/// the whole stream, counted from its start, taken from the route's `max_stream_duration` or
/// from the request's `grpc-timeout` when `grpc_timeout_header_max` is set. A gRPC request is
/// forwarded with `grpc-timeout` set to that limit. On expiry the stream is answered
/// `downstream duration timeout` (504 once the request is complete, 408 before; gRPC
/// DEADLINE_EXCEEDED), or reset when the response has started.
///
/// Evaluated once, when the request head arrives, before the filters run; Envoy evaluates it
/// again when a filter clears the route cache, Tern does not yet.
extension ActiveStream {
    func startMaxStreamDuration() {
        guard case .forward(let action)? = route?.action, let policy = action.grpcTimeout?.streamDuration,
              let headers = requestHead?.headers, let limit = policy.limit(headers) else { return }
        if GRPCLocalReply.isGRPC(headers) {
            // Before subtracting the time already used, as Envoy does.
            requestHead?.headers.replaceOrAdd(name: "grpc-timeout", value: GRPCTimeout.headerValue(milliseconds: limit))
        }
        let usedMs = Int64((workerState.clock.uptimeNanoseconds &- info.startUptime) / 1_000_000)
        let remaining = max(0, limit - usedMs)
        maxStreamDurationTimer = try? worker.eventLoop.assumeIsolated().scheduleCallback(
            in: .milliseconds(remaining), handler: MaxStreamDurationTimer(stream: self))
    }

    func onMaxStreamDuration() {
        maxStreamDurationTimer = nil
        guard !responseComplete, !destroyed else { return }
        config.stats.downstreamRqMaxDurationReached.inc(worker: worker.index)
        timeoutStream(status: requestComplete ? .gatewayTimeout : .requestTimeout, body: "downstream duration timeout",
                      details: "max_duration_timeout", flags: [], grpcStatus: GRPCStatus.deadlineExceeded)
    }
}

/// The max stream duration callback. It holds the stream until it fires or `finish()` cancels it.
struct MaxStreamDurationTimer: NIOScheduledCallbackHandler {
    let stream: ActiveStream
    func handleScheduledCallback(eventLoop: some EventLoop) { stream.onMaxStreamDuration() }
}
