import SwiftProtobuf
import TernConfig

/// A built-in listener filter: its Envoy name, the proto its `typed_config` holds, and how to
/// compile that proto into a factory. The list of these (in TernServer) is the registry the
/// listener compiler looks filters up in (type URL first, then name), and the `Any` type
/// registry is derived from it.
public struct ListenerFilterRegistration: Sendable {
    public let name: String
    public let configType: any SwiftProtobuf.Message.Type
    public let compile: @Sendable (Google_Protobuf_Any, _ path: String, CompileContext) throws -> any ListenerFilterFactory

    public init(name: String, configType: any SwiftProtobuf.Message.Type,
                compile: @escaping @Sendable (Google_Protobuf_Any, String, CompileContext) throws -> any ListenerFilterFactory) {
        self.name = name
        self.configType = configType
        self.compile = compile
    }

    /// The `type.googleapis.com/…` URL of the config type.
    public var typeURL: String { "type.googleapis.com/" + configType.protoMessageName }
}
