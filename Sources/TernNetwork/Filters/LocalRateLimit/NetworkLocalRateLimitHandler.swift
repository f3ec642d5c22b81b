import NIOCore
import TernCore

/// The network local rate limit's decision for one connection, made when the connection becomes
/// active (or when the handler is added to one that already is). Allowed: the handler passes
/// `channelActive` on and leaves the pipeline. Refused: the connection is closed and
/// `channelActive` is not passed on, so the terminal filter behind it (tcp_proxy connects its
/// upstream on channelActive) never opens an upstream connection nor reads a byte.
final class NetworkLocalRateLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let bucket: SharedTokenBucket
    private let stats: NetworkLocalRateLimitStats
    private let worker: Int
    private var decided = false
    private var allowed = false

    init(bucket: SharedTokenBucket, stats: NetworkLocalRateLimitStats, worker: Int) {
        self.bucket = bucket
        self.stats = stats
        self.worker = worker
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Behind a listener filter the channel may already be active: decide now, before the
        // terminal filter's handlers are added (they start on an active channel at once).
        if context.channel.isActive { decide(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if !decided { decide(context: context) }
        guard allowed else { return }
        context.fireChannelActive()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Only reachable before removal; a refused connection's bytes go nowhere.
        if allowed { context.fireChannelRead(data) }
    }

    private func decide(context: ChannelHandlerContext) {
        decided = true
        allowed = bucket.consume(now: RateLimitClock.now())
        guard !allowed else { return }
        stats.rateLimited.inc(worker: worker)
        context.close(promise: nil)
    }
}
