import NIOCore
import NIOHTTP1

/// The downstream side of one stream, as the active stream drives it: `HTTP1ServerConnection`
/// or an HTTP/2 stream's `HTTP2StreamCodec`. Keeps the connection manager's stream logic
/// independent of the codec.
protocol StreamCodec: AnyObject {
    func writeResponseHead(_ head: HTTPResponseHead, endStream: Bool)
    func writeResponseBody(_ data: ByteBuffer, endStream: Bool)
    func writeResponseTrailers(_ trailers: HTTPHeaders)
    /// The response is abandoned mid-way: HTTP/1.1 can only close the connection; HTTP/2 resets
    /// the stream.
    func resetStream()
    /// Pause or resume reading request bytes (request-body flow control).
    func setReadDisabled(_ disabled: Bool)
    /// Sends `100 Continue` for a request that asked for it.
    func write100Continue()
    /// Sends what the writes so far queued (after a batch of upstream reads), if anything.
    func flush()
    var isWritable: Bool { get }
    /// The stream finished both ways; the codec may start the next one.
    func streamComplete(_ stream: ActiveStream)
    /// True when the response must carry `connection: close` (client asked, draining, limits).
    var closingAfterResponse: Bool { get }
    /// After `101 Switching Protocols`: the connection stops speaking HTTP and `tunnel` carries
    /// its bytes. Returns false when this codec cannot (HTTP/2 streams).
    func switchToTunnel(_ tunnel: TunnelHandler) -> Bool
}
