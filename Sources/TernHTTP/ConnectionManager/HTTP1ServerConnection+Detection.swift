import NIOCore
import NIOHTTP1

// `codec_type: AUTO`: the HTTP/1.1 codec is installed at accept (its idle timeout, drain and
// connection stats run from the start, as Envoy's connection manager's do) and `HTTPCodecDetector`
// in front of it tells it what the first bytes were.
extension HTTP1ServerConnection {
    func countHTTP1() {
        countedHTTP1 = true
        config.stats.downstreamCxHTTP1Total.inc(worker: worker)
        config.stats.downstreamCxHTTP1Active.inc(worker: worker)
    }

    /// The first bytes were HTTP/1.1: the connection is counted as such and nothing else changes.
    func codecDetectedHTTP1() {
        if !countedHTTP1 { countHTTP1() }
    }

    /// The first bytes were the HTTP/2 preface: this codec leaves the pipeline before any
    /// request; the HTTP/2 connection takes over the connection's stats and drain. The future
    /// says when the pipeline is ready for HTTP/2.
    func yieldToHTTP2() -> EventLoopFuture<Void> {
        closed = true
        cancelIdleTimer()
        connection.onDrain = nil
        let removed = context.eventLoop.makePromise(of: Void.self)
        context.pipeline.syncOperations.removeHandler(context: context, promise: removed)
        return removed.futureResult
    }
}
