import NIOCore
import TernNetwork

/// What happens to each accepted connection, on the worker loop it landed on: read the
/// listener's current config, pick the filter chain, count Envoy's `listener.<prefix>.*` stats,
/// track the connection for draining, and let each network filter add its handlers in order.
enum DownstreamAcceptor {
    static func initialize(_ channel: any Channel, listener: ActiveListener, pool: WorkerPool) -> EventLoopFuture<Void> {
        guard let bound = pool.context(for: channel.eventLoop) else {
            // Not a worker loop: cannot happen with the bootstraps ListenerSocketBinder makes.
            return channel.close()
        }
        let context = bound.value
        let worker = context.worker
        let current = listener.box.load()
        let config = current.config
        let stats = config.stats
        let props = ConnectionMatchProperties(destination: channel.localAddress, source: channel.remoteAddress)
        guard let chain = config.selectChain(props) else {
            // Envoy closes the socket before a connection exists, so only this stat moves.
            stats.noFilterChainMatch.inc(worker: worker.index)
            channel.close(promise: nil)
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        stats.downstreamCxTotal.inc(worker: worker.index)
        stats.downstreamCxActive.inc(worker: worker.index)
        let connection = DownstreamConnection(
            worker: worker, remoteAddress: channel.remoteAddress, localAddress: channel.localAddress,
            listenerName: config.name, listenerStats: stats, filterChainName: chain.name)
        // On a draining listener a new connection serves as usual but is marked so the terminal
        // filter ends it at its first request boundary (HTTP: `connection: close` on the first
        // response), as Envoy's drain manager does; it is not closed before it is used.
        connection.draining = listener.isDraining
        context.connections.add(.init(connection: connection, channel: channel, listenerID: listener.id,
                                      generation: current.generation))
        channel.closeFuture.assumeIsolated().whenComplete { _ in
            context.connections.remove(channel)
            stats.downstreamCxActive.dec(worker: worker.index)
            stats.downstreamCxDestroy.inc(worker: worker.index)
        }
        guard !chain.filters.isEmpty else {
            channel.close(promise: nil)
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        do {
            // The transport socket (TLS) sits nearest the socket, below every network filter.
            try chain.transportSocket?.addHandlers(to: channel, connection: connection)
            // Config order: the terminal filter (tcp_proxy, http_connection_manager) comes last
            // and must see the handlers of the filters before it already in the pipeline.
            for filter in chain.filters {
                try filter.addHandlers(to: channel, connection: connection)
            }
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        return channel.eventLoop.makeSucceededVoidFuture()
    }
}
