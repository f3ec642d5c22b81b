import NIOCore

/// The network RBAC filter on one connection. It sits in front of the terminal filter's handlers
/// and holds each read until the connection is decided: allowed bytes pass on unchanged; on a
/// denial the bytes are dropped and the connection is closed, so nothing reaches the upstream.
///
/// tcp_proxy opens its upstream connection when the downstream becomes active, before any byte
/// (Envoy's tcp_proxy does the same in `onNewConnection`, ahead of the RBAC decision on the first
/// byte): a denied connection may therefore have opened an upstream connection, which is closed
/// with it without having been sent anything.
final class NetworkRBACHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State {
        case undecided
        case allowed
        /// Denied: reads are dropped (and, with `delay_deny`, no longer requested) until closed.
        case denied
    }

    let config: NetworkRBACConfig
    let connection: DownstreamConnection
    var state = State.undecided
    var shadowDecided = false

    init(config: NetworkRBACConfig, connection: DownstreamConnection) {
        self.config = config
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .allowed where !config.continuous:
            context.fireChannelRead(data)
        case .denied:
            return
        case .undecided, .allowed:
            if decide() {
                state = .allowed
                context.fireChannelRead(data)
            } else {
                deny(context: context)
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        // A connection waiting out `delay_deny` is not read any further.
        if state != .denied { context.read() }
    }

    /// Runs the shadow engine (once, or on every read when continuous) and the enforced one,
    /// counting both. True when the connection may go on.
    private func decide() -> Bool {
        let request = RBACRequest(directRemoteAddress: connection.remoteAddress, remoteAddress: connection.remoteAddress,
                                  localAddress: connection.localAddress, tls: connection.tls,
                                  requestedServerName: connection.requestedServerName)
        let w = connection.worker.index
        if let shadow = config.shadowEngine, config.continuous || !shadowDecided {
            shadowDecided = true
            if shadow.decide(request).allowed { config.stats.shadowAllowed.inc(worker: w) } else { config.stats.shadowDenied.inc(worker: w) }
        }
        guard let engine = config.engine else { return true }
        if engine.decide(request).allowed {
            config.stats.allowed.inc(worker: w)
            return true
        }
        config.stats.denied.inc(worker: w)
        return false
    }

    private func deny(context: ChannelHandlerContext) {
        state = .denied
        guard let delay = config.delayDeny else {
            context.close(promise: nil)
            return
        }
        let channel = context.channel
        channel.eventLoop.assumeIsolated().scheduleTask(in: delay) { channel.close(promise: nil) }
    }
}
