import NIOCore
import SwiftProtobuf
import TernConfig

/// `envoy.filters.network.tcp_proxy`: the compiled filter. Per accepted connection it adds one
/// `TCPProxyHandler` whose `TCPProxyFilter` connects to a host of the configured cluster on the
/// same event loop and copies bytes both ways until both sides are done.
public struct TCPProxyFilterFactory: NetworkFilterFactory {
    let config: TCPProxyConfig

    /// The registry entry: name, config type and compile step.
    package static let registration = NetworkFilterRegistration(
        name: "envoy.filters.network.tcp_proxy",
        configType: Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy.self
    ) { any, path, context in
        let proto: Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy
        do {
            proto = try Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy(unpackingAny: any)
        } catch {
            throw CompileError(path, "invalid TcpProxy: \(error)")
        }
        return try TCPProxyFilterFactory(proto: proto, path: path, context: context)
    }

    /// Compiles and validates a TcpProxy proto; `path` names it in errors and warnings.
    package init(proto: Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy, path: String,
                 context: CompileContext) throws {
        config = try TCPProxyConfig(proto: proto, path: path, context: context)
    }

    /// The `tcp.<stat_prefix>.*` stats.
    public var stats: TCPProxyStats { config.stats }

    public func addHandlers(to channel: any Channel, connection: DownstreamConnection) throws {
        // The upstream is opened on the worker's loop: it must be the connection's loop.
        assert(channel.eventLoop === connection.worker.eventLoop, "connection and worker on different event loops")
        // Half-close must reach us as an event, not as a close; the listener manager sets this
        // on accepted channels too.
        try channel.syncOptions?.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
        let filter = TCPProxyFilter(config: config, connection: connection)
        try channel.pipeline.syncOperations.addHandler(TCPProxyHandler(side: .downstream, filter: filter))
    }
}
