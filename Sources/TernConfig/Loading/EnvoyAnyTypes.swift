import SwiftProtobuf

/// The message types of our subset that can sit in a `typed_config` (or another `Any`).
///
/// swift-protobuf keeps one process-wide `Any` registry; a packed type must be registered before
/// an `Any` holding it is re-encoded as binary (config hashing, config dumps, xDS). The extension
/// registries will own these lists and pass them to `registerAnyTypes`; until then this is it.
package enum EnvoyAnyTypes {
    /// Every extension config type in `proto/` that Envoy configs put in a `typed_config`.
    package static let all: [any Message.Type] = [
        Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager.self,
        Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy.self,
        Envoy_Extensions_Filters_Http_Router_V3_Router.self,
        Envoy_Extensions_AccessLoggers_File_V3_FileAccessLog.self,
        Envoy_Extensions_AccessLoggers_Stream_V3_StdoutAccessLog.self,
        Envoy_Extensions_AccessLoggers_Stream_V3_StderrAccessLog.self,
        Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions.self,
    ]
}

/// Registers message types with swift-protobuf's global `Any` registry so `Any` values holding
/// them can be decoded from JSON and re-encoded as binary. Registering a type twice is harmless.
package func registerAnyTypes(_ types: [any Message.Type]) {
    for type in types {
        _ = Google_Protobuf_Any.register(messageType: type)
    }
}
