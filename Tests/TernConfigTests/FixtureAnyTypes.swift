import SwiftProtobuf
import TernConfig

/// The `typed_config` types the fixtures use, registered so decoded bootstraps re-encode as
/// binary. (The server registers its extensions' types from its registries; tests of the loader
/// alone name the few their fixtures hold.)
enum FixtureAnyTypes {
    static let registered: Void = registerAnyTypes([
        Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager.self,
        Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy.self,
        Envoy_Extensions_Filters_Http_Router_V3_Router.self,
        Envoy_Extensions_AccessLoggers_File_V3_FileAccessLog.self,
        Envoy_Extensions_AccessLoggers_Stream_V3_StdoutAccessLog.self,
        Envoy_Extensions_AccessLoggers_Stream_V3_StderrAccessLog.self,
        Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions.self,
    ])
}
