import SwiftProtobuf
import TernConfig

/// A compiled HTTP filter config; lives in the snapshot and makes one filter per stream.
public protocol HTTPFilterFactory: Sendable {
    /// A new filter for one stream. Allocation only: everything else was done at compile time.
    func makeFilter() -> any HTTPFilter
    /// True for the filter that ends the chain and produces the response (the router).
    var isTerminal: Bool { get }
}

extension HTTPFilterFactory {
    public var isTerminal: Bool { false }
}

/// A built-in HTTP filter: Envoy name, config proto, compile step. The list of these in
/// TernServer (`BuiltinHTTPFilters.all`) is the one registry of HTTP filters.
public struct HTTPFilterRegistration: Sendable {
    public let name: String
    public let configType: any SwiftProtobuf.Message.Type
    public let compile: @Sendable (Google_Protobuf_Any, _ path: String, CompileContext) throws -> any HTTPFilterFactory

    public init(name: String, configType: any SwiftProtobuf.Message.Type,
                compile: @escaping @Sendable (Google_Protobuf_Any, String, CompileContext) throws -> any HTTPFilterFactory) {
        self.name = name
        self.configType = configType
        self.compile = compile
    }

    public var typeURL: String { "type.googleapis.com/" + configType.protoMessageName }
}
