// How an UpstreamServer answers. Tests pick one per server, or per request with `.custom`.

/// An upstream's answer to a request.
public indirect enum UpstreamBehavior: Sendable {
    /// A complete response with a content-length.
    case respond(status: Int = 200, headers: [HeaderField] = [], body: String = "")
    /// 200 with the request as JSON (`EchoedRequest`).
    case echo
    /// 200 with `transfer-encoding: chunked`, each string written and flushed as its own chunk.
    case chunked([String])
    /// Like `.chunked`, but waits `interval` before each chunk: a slow, streamed response.
    case streamed([String], interval: Duration)
    /// Waits `delay`, then answers as `then`.
    case delayed(Duration, then: UpstreamBehavior)
    /// Reads the request and never answers.
    case hang
    /// Closes the connection without a byte of response.
    case closeBeforeResponse
    /// Sends headers declaring `declared` body bytes, sends `sent` of them, then closes.
    case closeMidResponse(sent: Int = 10, declared: Int = 100)
    /// Resets the connection (RST) without answering.
    case reset
    /// Decides per request.
    case custom(@Sendable (RecordedRequest) -> UpstreamBehavior)
}
