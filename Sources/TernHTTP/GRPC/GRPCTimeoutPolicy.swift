import NIOHTTP1
import SwiftProtobuf
import TernConfig

/// A route's use of the `grpc-timeout` header, compiled from its `RouteAction`. Envoy has two
/// generations of these settings, and a route uses one or the other:
///
/// - `max_stream_duration` (`MaxStreamDuration`): the connection manager limits the whole stream
///   to `max_stream_duration`, or to the request's `grpc-timeout` (capped by
///   `grpc_timeout_header_max`, less `grpc_timeout_header_offset`) when that cap is set. Its
///   expiry answers `downstream duration timeout` (DEADLINE_EXCEEDED for gRPC). A route with this
///   message ignores its `timeout` (Envoy's "new timeouts"; checked against Envoy 1.40).
/// - the deprecated `max_grpc_timeout` / `grpc_timeout_offset`: for a gRPC request the router's
///   route timeout becomes the request's `grpc-timeout` (less the offset, capped by the maximum;
///   0 is infinity), so its expiry is the router's `upstream request timeout`.
///
/// Either way the adjusted timeout is what the upstream is sent in `grpc-timeout`.
public struct GRPCTimeoutPolicy: Sendable {
    /// `max_stream_duration`, in milliseconds (nil: the field is unset).
    public struct StreamDuration: Sendable {
        public var maxStreamDuration: Int64?
        public var grpcTimeoutHeaderMax: Int64?
        public var grpcTimeoutHeaderOffset: Int64?

        /// The stream's duration limit for a request with `headers`, in milliseconds (0: expire
        /// at once), or nil for none. As Envoy's `refreshDurationTimeout`; Tern has no
        /// connection-manager `max_stream_duration` to fall back on.
        public func limit(_ headers: HTTPHeaders) -> Int64? {
            guard let cap = grpcTimeoutHeaderMax,
                  let header = headers.first(name: "grpc-timeout").flatMap(GRPCTimeout.milliseconds) else {
                guard let maxStreamDuration, maxStreamDuration > 0 else { return nil }
                return maxStreamDuration
            }
            var timeout = header
            if cap != 0 && timeout > cap { timeout = cap }
            if timeout != 0, let offset = grpcTimeoutHeaderOffset {
                timeout = offset < timeout ? timeout - offset : 0
            }
            return timeout
        }
    }

    /// The deprecated `max_grpc_timeout` and `grpc_timeout_offset`, in milliseconds.
    public struct HeaderRouteTimeout: Sendable {
        public var maxGRPCTimeout: Int64
        public var grpcTimeoutOffset: Int64?

        /// The route timeout for a gRPC request with `headers`, in milliseconds; 0 is none.
        /// As Envoy's `FilterUtility::finalTimeout`.
        public func routeTimeout(_ headers: HTTPHeaders) -> Int64 {
            var timeout = headers.first(name: "grpc-timeout").flatMap(GRPCTimeout.milliseconds) ?? 0
            // The offset never takes the timeout to 0 (which would mean infinity).
            if let offset = grpcTimeoutOffset, offset < timeout { timeout -= offset }
            if maxGRPCTimeout != 0 && (timeout == 0 || timeout > maxGRPCTimeout) { timeout = maxGRPCTimeout }
            return timeout
        }
    }

    public var streamDuration: StreamDuration?
    public var headerRouteTimeout: HeaderRouteTimeout?

    /// Compiles the route action's fields; nil when the route sets none of them.
    static func compile(_ a: Envoy_Config_Route_V3_RouteAction, path: String, context: CompileContext) throws -> GRPCTimeoutPolicy? {
        var policy = GRPCTimeoutPolicy()
        if a.hasMaxStreamDuration {
            let m = a.maxStreamDuration
            let p = path + ".max_stream_duration"
            policy.streamDuration = StreamDuration(
                maxStreamDuration: m.hasMaxStreamDuration ? try ms(m.maxStreamDuration, p + ".max_stream_duration") : nil,
                grpcTimeoutHeaderMax: m.hasGrpcTimeoutHeaderMax ? try ms(m.grpcTimeoutHeaderMax, p + ".grpc_timeout_header_max") : nil,
                grpcTimeoutHeaderOffset: m.hasGrpcTimeoutHeaderOffset
                    ? try ms(m.grpcTimeoutHeaderOffset, p + ".grpc_timeout_header_offset") : nil)
            for (set, name) in [(a.hasMaxGrpcTimeout, "max_grpc_timeout"), (a.hasGrpcTimeoutOffset, "grpc_timeout_offset")] where set {
                context.warn(path + "." + name, "ignored on a route with max_stream_duration, as in Envoy")
            }
        } else if a.hasMaxGrpcTimeout {
            // Envoy reads the deprecated pair only for routes without max_stream_duration.
            policy.headerRouteTimeout = HeaderRouteTimeout(
                maxGRPCTimeout: try ms(a.maxGrpcTimeout, path + ".max_grpc_timeout"),
                grpcTimeoutOffset: a.hasGrpcTimeoutOffset ? try ms(a.grpcTimeoutOffset, path + ".grpc_timeout_offset") : nil)
        } else if a.hasGrpcTimeoutOffset {
            context.warn(path + ".grpc_timeout_offset", "ignored without max_grpc_timeout, as in Envoy")
        }
        return policy.streamDuration == nil && policy.headerRouteTimeout == nil ? nil : policy
    }

    /// Envoy keeps these durations in whole milliseconds and refuses negative ones.
    private static func ms(_ d: Google_Protobuf_Duration, _ path: String) throws -> Int64 {
        guard d.seconds >= 0, d.nanos >= 0 else { throw CompileError(path, "must not be negative") }
        return d.timeAmount.wholeMilliseconds
    }

    /// Attaches the compiled policy to `forward`. A route with `max_stream_duration` uses
    /// Envoy's "new timeouts": its `timeout` is not a route timeout any more.
    static func attach(to forward: inout ForwardAction, _ a: Envoy_Config_Route_V3_RouteAction, path: String,
                       context: CompileContext) throws {
        forward.grpcTimeout = try compile(a, path: path, context: context)
        if a.hasMaxStreamDuration { forward.timeout = nil }
    }
}
