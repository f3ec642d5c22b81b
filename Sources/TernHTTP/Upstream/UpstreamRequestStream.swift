import NIOCore
import NIOHTTP1

/// One request's way to its upstream, as the router and shadows drive it: an HTTP/1.1 pooled
/// connection for the length of one exchange, or one HTTP/2 stream. One protocol call per head,
/// body chunk or end; the bytes themselves are never boxed.
protocol UpstreamRequestStream: AnyObject {
    /// Receives the response; cleared by the stream when the exchange ends or is aborted.
    var delegate: (any UpstreamResponseDelegate)? { get set }
    /// The request head (HTTP/1-shaped: `host` is the authority). `endStream`: no body follows.
    func sendHead(_ head: HTTPRequestHead, endStream: Bool)
    func sendBody(_ data: ByteBuffer)
    /// Ends the request, with trailers if any.
    func sendEnd(_ trailers: HTTPHeaders?)
    func flush()
    /// False while the upstream cannot take more request body.
    var isWritable: Bool { get }
    /// Response backpressure: stop or resume reading the response.
    func setReadPaused(_ paused: Bool)
    /// Gives the stream up mid-exchange (timeout, downstream reset, retry): HTTP/1.1 closes the
    /// connection, HTTP/2 resets the stream.
    func abort()
    /// Hands back a stream that was never used (its requester went away meanwhile).
    func giveBack()
}

/// A per-worker pool of upstream streams to one host at one priority: `HTTP1ConnectionPool` or
/// `HTTP2ConnectionPool`.
protocol UpstreamHTTPPool: AnyObject {
    /// Hands `waiter` a stream now or when one is ready (or fails it).
    func acquire(_ waiter: any UpstreamPoolWaiter)
    /// Withdraws a waiter that no longer needs a stream.
    func cancel(_ waiter: any UpstreamPoolWaiter)
}
