import NIOCore
import NIOHTTP1
import SwiftProtobuf
import TernConfig
import TernNetwork

/// `envoy.filters.network.http_connection_manager`: the terminal network filter that speaks
/// HTTP on a downstream connection. Adds the codec `codec_type` asks for (HTTP/1.1, HTTP/2 h2c
/// prior knowledge, or AUTO: HTTP/1.1 unless the first bytes are the HTTP/2 preface) to each
/// accepted connection's pipeline; everything else was compiled into its config.
public struct HTTPConnectionManagerFilterFactory: NetworkFilterFactory {
    public let config: HTTPConnectionManagerConfig

    public init(config: HTTPConnectionManagerConfig) { self.config = config }

    public func addHandlers(to channel: any Channel, connection: DownstreamConnection) throws {
        let sync = channel.pipeline.syncOperations
        switch config.codec {
        case .http1:
            try addHTTP1Handlers(to: sync, connection: connection, awaitsDetection: false)
        case .http2:
            try HTTP2ServerConnection.addHandlers(to: sync, position: .last, config: config, connection: connection)
        case .auto:
            // The detector sits right before the HTTP/1.1 decoder (after any network filters'
            // handlers, which see every byte first) and leaves after the first read, so HTTP/1.1
            // requests never pass it.
            let detector = HTTPCodecDetector(config: config, connection: connection)
            try sync.addHandler(detector)
            detector.http1 = try addHTTP1Handlers(to: sync, connection: connection, awaitsDetection: true)
        }
    }

    @discardableResult
    func addHTTP1Handlers(to sync: ChannelPipeline.SynchronousOperations, connection: DownstreamConnection,
                          awaitsDetection: Bool) throws -> HTTP1ServerConnection {
        // No codec handlers: the connection parses requests and serializes responses itself.
        let http1 = HTTP1ServerConnection(config: config, connection: connection, awaitsDetection: awaitsDetection)
        try sync.addHandler(http1)
        return http1
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
