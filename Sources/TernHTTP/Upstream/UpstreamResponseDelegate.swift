import NIOCore
import NIOHTTP1

/// Receives one upstream response; the router's upstream request implements it. The same for
/// HTTP/1.1 connections and HTTP/2 streams.
protocol UpstreamResponseDelegate: AnyObject {
    /// The response head; `endStream`: it is the whole response (HTTP/2 HEADERS with
    /// END_STREAM, such as a gRPC trailers-only answer): no body or end follows.
    /// Consuming: a head the codec built is handed over whole, so edits on the way downstream
    /// change its one copy of the headers in place.
    func upstreamResponseHead(_ head: consuming HTTPResponseHead, endStream: Bool)
    func upstreamResponseBody(_ body: ByteBuffer)
    func upstreamResponseEnd(_ trailers: HTTPHeaders?)
    /// The stream was reset (connection closed or failed, RST_STREAM, refused by GOAWAY) before
    /// the response ended.
    func upstreamReset(_ reason: UpstreamResetReason)
    /// The upstream's writability changed (request-body flow control): the socket for HTTP/1.1,
    /// the stream's flow-control window and the socket for HTTP/2.
    func upstreamWritabilityChanged(_ writable: Bool)
    /// A `101 Switching Protocols` response is complete; the connection can become a tunnel
    /// (HTTP/1.1 only).
    func upstreamUpgraded(_ connection: HTTP1UpstreamConnection)
    /// The upstream read batch that delivered the latest response parts is over: what they
    /// produced downstream should go out now (a streamed response is not held until its end).
    func upstreamReadComplete()
}

extension UpstreamResponseDelegate {
    func upstreamReadComplete() {}
}

/// Why an upstream stream ended early, with Envoy's reset-reason wording
/// (`Http::Utility::resetReasonToString`).
enum UpstreamResetReason: Equatable {
    /// The connection closed under the stream.
    case connectionTermination
    /// The upstream spoke bad HTTP (or HTTP/2 protocol error).
    case protocolError
    /// RST_STREAM from the upstream with any code but REFUSED_STREAM.
    case remoteReset
    /// RST_STREAM REFUSED_STREAM, or a stream above a GOAWAY's last stream id: never processed.
    case remoteRefusedStreamReset

    var text: String {
        switch self {
        case .connectionTermination: "connection termination"
        case .protocolError: "protocol error"
        case .remoteReset: "remote reset"
        case .remoteRefusedStreamReset: "remote refused stream reset"
        }
    }
}

/// Waits for a pooled upstream stream (an HTTP/1.1 connection or an HTTP/2 stream).
protocol UpstreamPoolWaiter: AnyObject {
    func poolReady(_ stream: any UpstreamRequestStream)
    func poolFailed(_ failure: PoolFailure)
}

/// Why a pool could not provide a connection, with Envoy's reset-reason wording.
enum PoolFailure {
    case connectFailure(String)
    case connectTimeout
    case draining
    /// A circuit breaker refused the request (pending or active requests at their limit).
    case overflow
    /// The connection failed before it could carry the request because the upstream spoke bad
    /// HTTP (an HTTP/1.1 server answering the HTTP/2 preface): Envoy's 502 `UPE`.
    case protocolError

    var resetReason: String {
        switch self {
        case .overflow: "overflow"
        case .connectFailure: "remote connection failure"
        case .connectTimeout: "connection timeout"
        case .draining: "local connection failure"
        case .protocolError: "protocol error"
        }
    }

    var transportFailure: String? {
        if case .connectFailure(let reason) = self { return reason }
        return nil
    }
}
