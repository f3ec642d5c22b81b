import SwiftProtobuf
import TernConfig

/// A built-in network filter: its Envoy name, the proto its `typed_config` holds, and how to
/// compile that proto into a factory. The list of these (in TernServer) is the one registry:
/// the `Any` type registry is derived from it.
public struct NetworkFilterRegistration: Sendable {
    public let name: String
    public let configType: any SwiftProtobuf.Message.Type
    public let compile: @Sendable (Google_Protobuf_Any, _ path: String, CompileContext) throws -> any NetworkFilterFactory

    public init(name: String, configType: any SwiftProtobuf.Message.Type,
                compile: @escaping @Sendable (Google_Protobuf_Any, String, CompileContext) throws -> any NetworkFilterFactory) {
        self.name = name
        self.configType = configType
        self.compile = compile
    }

    /// The `type.googleapis.com/…` URL of the config type.
    public var typeURL: String { "type.googleapis.com/" + configType.protoMessageName }
}
