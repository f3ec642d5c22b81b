import NIOCore
import NIOHTTP1
import TernNetwork

/// The stream as its filters see it: the matched route, the connection, the stream's record
/// for access logs, and the ways to resume iteration, answer locally, or (for the terminal
/// filter) send the response. Implemented by the connection manager's active stream.
public protocol HTTPFilterCallbacks: AnyObject {
    var worker: Worker { get }
    var connection: DownstreamConnection { get }
    /// The route chosen for the request headers as they are now (cached; see `clearRouteCache`).
    var route: RouteEntry? { get }
    /// Forgets the cached route, after a filter changed headers that routing depends on.
    func clearRouteCache()
    /// A cluster the terminal filter forwards to instead of the route's (Envoy filters get the
    /// same effect by setting a delegating route). Set in `decodeHeaders`, before the router runs.
    var upstreamClusterOverride: String? { get set }
    /// The stream's facts for logs and stats (flags, upstream host, ...).
    var info: StreamInfo { get }
    /// The request headers as forwarded (after earlier filters changed them).
    var requestHead: HTTPRequestHead? { get }

    /// Resumes decoding after this filter returned a stop status.
    func continueDecoding()
    /// Resumes encoding after this filter returned a stop status.
    func continueEncoding()

    /// Answers the request from the proxy (`direct_response`, errors): `text/plain` body,
    /// Envoy's details string and response flags. Ends the stream. A gRPC request gets it as a
    /// trailers-only gRPC answer instead (GRPC/GRPCLocalReply), with `grpcStatus` or else the
    /// status Envoy maps the HTTP status to.
    func sendLocalReply(status: HTTPResponseStatus, body: String, details: String, flags: ResponseFlags,
                        headers: HTTPHeaders?, grpcStatus: Int?)

    /// The terminal filter's response path: runs encoder filters, then the codec.
    func encodeHeaders(_ head: consuming HTTPResponseHead, endStream: Bool)
    func encodeData(_ data: ByteBuffer, endStream: Bool)
    func encodeTrailers(_ trailers: HTTPHeaders)
    /// Aborts the stream after the response started (HTTP/1.1: closes the connection).
    func resetStream(flags: ResponseFlags, details: String)

    /// Flow control on the request body: stop (true) or resume (false) reading from downstream.
    func setDecoderReadDisabled(_ disabled: Bool)
    /// Called when the downstream can take more response bytes after having been full.
    var onDownstreamWritable: (() -> Void)? { get set }
    /// True while the downstream socket accepts writes without queueing past its high mark.
    var downstreamWritable: Bool { get }
}

extension HTTPFilterCallbacks {
    /// A local reply whose gRPC status, for a gRPC request, is mapped from the HTTP status.
    public func sendLocalReply(status: HTTPResponseStatus, body: String, details: String, flags: ResponseFlags,
                               headers: HTTPHeaders?) {
        sendLocalReply(status: status, body: body, details: details, flags: flags, headers: headers, grpcStatus: nil)
    }

    /// The matched route's compiled `typed_per_filter_config` for the filter named `name` in
    /// `http_filters` (route level over virtual host level), if it is a `T`.
    public func perRouteConfig<T>(_ name: String, as type: T.Type) -> T? {
        // Most routes carry no per-filter config: skip hashing the filter's name for them.
        guard let configs = route?.perFilterConfig, !configs.isEmpty else { return nil }
        return configs[name] as? T
    }

    /// Every level's compiled `typed_per_filter_config` for the filter named `name` that is a
    /// `T`, most specific first (route, then virtual host); empty when there is none.
    public func perRouteConfigs<T>(_ name: String, as type: T.Type) -> [T] {
        guard let route else { return [] }
        if let levels = route.perFilterConfigLevels[name] { return levels.compactMap { $0 as? T } }
        return (route.perFilterConfig[name] as? T).map { [$0] } ?? []
    }
}
