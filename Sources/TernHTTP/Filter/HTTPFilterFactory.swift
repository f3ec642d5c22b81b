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

/// What a filter's compile step gets besides its proto: the name the filter has in
/// `http_filters` (the key its `typed_per_filter_config` entries use on routes), the field path
/// for errors, and the compile context.
public struct HTTPFilterCompileInput {
    /// The `name` of the `http_filters` entry.
    public let name: String
    /// The connection manager's stats prefix, `http.<stat_prefix>.`: filter stats live under it
    /// (`http.ingress.fault.aborts_injected`), as in Envoy.
    public let statPrefix: String
    public let path: String
    public let context: CompileContext

    public init(name: String, statPrefix: String, path: String, context: CompileContext) {
        self.name = name
        self.statPrefix = statPrefix
        self.path = path
        self.context = context
    }
}

/// A built-in HTTP filter: Envoy name, config proto, compile step, and optionally the per-route
/// config it accepts in `typed_per_filter_config`. The list of these in TernServer
/// (`BuiltinHTTPFilters.all`) is the one registry of HTTP filters.
public struct HTTPFilterRegistration: Sendable {
    public let name: String
    public let configType: any SwiftProtobuf.Message.Type
    public let compile: @Sendable (Google_Protobuf_Any, HTTPFilterCompileInput) throws -> any HTTPFilterFactory
    /// The proto a route's `typed_per_filter_config` holds for this filter (often `configType`
    /// itself); nil when the filter takes no per-route config.
    public let perRouteConfigType: (any SwiftProtobuf.Message.Type)?
    /// Compiles a per-route entry into an immutable value the filter finds on the route with
    /// `HTTPFilterCallbacks.perRouteConfig(_:as:)`.
    public let compilePerRoute: (@Sendable (Google_Protobuf_Any, _ path: String, CompileContext) throws -> any Sendable)?

    public init(name: String, configType: any SwiftProtobuf.Message.Type,
                perRouteConfigType: (any SwiftProtobuf.Message.Type)? = nil,
                compilePerRoute: (@Sendable (Google_Protobuf_Any, String, CompileContext) throws -> any Sendable)? = nil,
                compile: @escaping @Sendable (Google_Protobuf_Any, HTTPFilterCompileInput) throws -> any HTTPFilterFactory) {
        precondition((perRouteConfigType == nil) == (compilePerRoute == nil),
                     "a per-route config type needs a per-route compile step, and the other way round")
        self.name = name
        self.configType = configType
        self.perRouteConfigType = perRouteConfigType
        self.compilePerRoute = compilePerRoute
        self.compile = compile
    }

    public var typeURL: String { "type.googleapis.com/" + configType.protoMessageName }

    /// The `type.googleapis.com/…` URL of the per-route config type, if any.
    public var perRouteTypeURL: String? { perRouteConfigType.map { "type.googleapis.com/" + $0.protoMessageName } }

    /// Every proto type this filter reads from an `Any` (for the type registry).
    public var allConfigTypes: [any SwiftProtobuf.Message.Type] {
        guard let perRouteConfigType, perRouteConfigType.protoMessageName != configType.protoMessageName else { return [configType] }
        return [configType, perRouteConfigType]
    }
}
