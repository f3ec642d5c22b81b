import NIOCore
import NIOHTTP1
import SwiftProtobuf
import TernConfig
import TernNetwork

/// `envoy.filters.network.http_connection_manager`: the terminal network filter that speaks
/// HTTP on a downstream connection. Adds the HTTP/1.1 codec and the connection manager to each
/// accepted connection's pipeline; everything else was compiled into its config.
public struct HTTPConnectionManagerFilterFactory: NetworkFilterFactory {
    public let config: HTTPConnectionManagerConfig

    public init(config: HTTPConnectionManagerConfig) { self.config = config }

    public func addHandlers(to channel: any Channel, connection: DownstreamConnection) throws {
        let sync = channel.pipeline.syncOperations
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = config.maxRequestHeadersBytes
        limits.maxHeaderFieldSize = config.maxRequestHeadersBytes
        // No response encoder: the connection manager frames and serializes responses itself.
        try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes,
                                                                    limitConfiguration: limits)))
        try sync.addHandler(HTTP1ServerConnection(config: config, connection: connection))
    }

    /// The registration of the connection manager with the HTTP filters it may use.
    package static func registration(httpFilters: [HTTPFilterRegistration]) -> NetworkFilterRegistration {
        NetworkFilterRegistration(
            name: "envoy.filters.network.http_connection_manager",
            configType: Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager.self
        ) { any, path, context in
            let proto = try Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager(unpackingAny: any)
            return HTTPConnectionManagerFilterFactory(
                config: try HTTPConnectionManagerCompiler.compile(proto, path: path, context: context, httpFilters: httpFilters))
        }
    }
}
