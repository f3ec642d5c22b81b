import NIOCore
import TernNetwork

/// What happens to each accepted connection, on the worker loop it landed on: read the
/// listener's current config, run its listener filters (if any) on the first bytes, pick the
/// filter chain, count Envoy's `listener.<prefix>.*` stats, track the connection for draining,
/// and let the transport socket and each network filter add their handlers in order.
enum DownstreamAcceptor {
    static func initialize(_ channel: any Channel, listener: ActiveListener, pool: WorkerPool) -> EventLoopFuture<Void> {
        guard let bound = pool.context(for: channel.eventLoop) else {
            // Not a worker loop: cannot happen with the bootstraps ListenerSocketBinder makes.
            return channel.close()
        }
        let context = bound.value
        let current = listener.box.load()
        let config = current.config
        let props = ConnectionMatchProperties(destination: channel.localAddress, source: channel.remoteAddress)
        // The common case (no listener filters) chooses the chain now, with no extra handler.
        guard !config.listenerFilters.isEmpty else {
            establish(channel, props: props, current: current, listener: listener, context: context)
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        let worker = context.worker
        let handler = ListenerFilterHandler(
            filters: config.listenerFilters.map { $0.makeFilter(worker: worker) }, properties: props,
            maxReadBytes: config.listenerFiltersMaxReadBytes, timeout: config.listenerFiltersTimeout,
            continueOnTimeout: config.continueOnListenerFiltersTimeout, stats: config.stats, worker: worker.index
        ) { props in
            // The chains may have been swapped in place while the filters waited: use the
            // listener's config as it is now (the listener filters themselves cannot change
            // without a rebind, since they are part of the socket fingerprint).
            establish(channel, props: props, current: listener.box.load(), listener: listener, context: context)
        }
        do {
            try channel.pipeline.syncOperations.addHandler(handler)
        } catch {
            channel.close(promise: nil)
        }
        return channel.eventLoop.makeSucceededVoidFuture()
    }

    /// Chooses the chain for `props` and sets the connection up on it; closes the channel when
    /// no chain matches. Runs at accept, or when the listener filters have decided.
    private static func establish(_ channel: any Channel, props: ConnectionMatchProperties,
                                  current: ListenerConfigBox.Current, listener: ActiveListener, context: WorkerContext) {
        let worker = context.worker
        let config = current.config
        let stats = config.stats
        guard let chain = config.selectChain(props) else {
            // Envoy closes the socket before a connection exists, so only this stat moves.
            stats.noFilterChainMatch.inc(worker: worker.index)
            channel.close(promise: nil)
            return
        }
        stats.downstreamCxTotal.inc(worker: worker.index)
        stats.downstreamCxActive.inc(worker: worker.index)
        let connection = DownstreamConnection(
            worker: worker, remoteAddress: channel.remoteAddress, localAddress: channel.localAddress,
            listenerName: config.name, listenerStats: stats, filterChainName: chain.name)
        connection.requestedServerName = props.serverName
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
            return
        }
        do {
            // The transport socket (TLS) sits nearest the socket, below every network filter
            // (behind a listener-filter phase it is added after that phase's handler, which
            // passes the bytes it kept on to it and then leaves).
            try chain.transportSocket?.addHandlers(to: channel, connection: connection)
            // Config order: the terminal filter (tcp_proxy, http_connection_manager) comes last
            // and must see the handlers of the filters before it already in the pipeline.
            for filter in chain.filters {
                try filter.addHandlers(to: channel, connection: connection)
            }
        } catch {
            channel.close(promise: nil)
        }
    }
}
