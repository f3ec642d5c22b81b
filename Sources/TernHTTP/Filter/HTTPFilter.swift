import NIOCore
import NIOHTTP1

/// What a filter tells the connection manager after seeing request or response headers.
public enum FilterHeadersStatus: Sendable {
    /// Pass the headers to the next filter.
    case continueIteration
    /// Hold the headers here; data still reaches this filter. The filter resumes the chain with
    /// `continueDecoding()` / `continueEncoding()`, or answers locally.
    case stopIteration
}

/// What a filter tells the connection manager after seeing a body chunk.
public enum FilterDataStatus: Sendable {
    case continueIteration
    /// Keep this chunk (the stream buffers it) until the filter continues.
    case stopIterationAndBuffer
    /// Drop this chunk from iteration; the filter has taken it.
    case stopIterationNoBuffer
}

/// What a filter tells the connection manager after seeing trailers.
public enum FilterTrailersStatus: Sendable {
    case continueIteration
    case stopIteration
}

/// A per-stream HTTP filter (`envoy.filters.http.*`), made for each request by its factory.
/// Decode methods run in config order on the request; encode methods in reverse order on the
/// response. Every method has a pass-through default, so a filter implements only what it needs.
/// Filters are confined to the stream's event loop and return statuses; they never throw.
public protocol HTTPFilter: AnyObject {
    func decodeHeaders(_ head: inout HTTPRequestHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus
    func decodeData(_ data: inout ByteBuffer, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterDataStatus
    func decodeTrailers(_ trailers: inout HTTPHeaders, stream: any HTTPFilterCallbacks) -> FilterTrailersStatus
    func encodeHeaders(_ head: inout HTTPResponseHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus
    func encodeData(_ data: inout ByteBuffer, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterDataStatus
    func encodeTrailers(_ trailers: inout HTTPHeaders, stream: any HTTPFilterCallbacks) -> FilterTrailersStatus
    /// The downstream went away or the stream ended: release upstream work, cancel timers.
    func onStreamReset(stream: any HTTPFilterCallbacks)
    /// The stream is complete (response sent); last call the filter gets.
    func onDestroy()
}

extension HTTPFilter {
    public func decodeHeaders(_ head: inout HTTPRequestHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus { .continueIteration }
    public func decodeData(_ data: inout ByteBuffer, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterDataStatus { .continueIteration }
    public func decodeTrailers(_ trailers: inout HTTPHeaders, stream: any HTTPFilterCallbacks) -> FilterTrailersStatus { .continueIteration }
    public func encodeHeaders(_ head: inout HTTPResponseHead, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterHeadersStatus { .continueIteration }
    public func encodeData(_ data: inout ByteBuffer, endStream: Bool, stream: any HTTPFilterCallbacks) -> FilterDataStatus { .continueIteration }
    public func encodeTrailers(_ trailers: inout HTTPHeaders, stream: any HTTPFilterCallbacks) -> FilterTrailersStatus { .continueIteration }
    public func onStreamReset(stream: any HTTPFilterCallbacks) {}
    public func onDestroy() {}
}
