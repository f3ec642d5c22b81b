import NIOCore
import NIOHTTP1

/// Receives one upstream response; the router's upstream request implements it.
protocol UpstreamResponseDelegate: AnyObject {
    func upstreamResponseHead(_ head: HTTPResponseHead)
    func upstreamResponseBody(_ body: ByteBuffer)
    func upstreamResponseEnd(_ trailers: HTTPHeaders?)
    /// The connection closed or failed before the response ended.
    func upstreamConnectionClosed(protocolError: Bool)
    /// The upstream socket's writability changed (request-body flow control).
    func upstreamWritabilityChanged(_ writable: Bool)
    /// A `101 Switching Protocols` response is complete; the connection can become a tunnel.
    func upstreamUpgraded(_ connection: HTTP1UpstreamConnection)
    /// The upstream read batch that delivered the latest response parts is over: what they
    /// produced downstream should go out now (a streamed response is not held until its end).
    func upstreamReadComplete()
}

extension UpstreamResponseDelegate {
    func upstreamReadComplete() {}
}

/// Waits for a pooled connection.
protocol HTTP1PoolWaiter: AnyObject {
    func poolReady(_ connection: HTTP1UpstreamConnection)
    func poolFailed(_ failure: PoolFailure)
}

/// Why a pool could not provide a connection, with Envoy's reset-reason wording.
enum PoolFailure {
    case connectFailure(String)
    case connectTimeout
    case draining
    /// A circuit breaker refused the request (pending or active requests at their limit).
    case overflow

    var resetReason: String {
        switch self {
        case .overflow: "overflow"
        case .connectFailure: "remote connection failure"
        case .connectTimeout: "connection timeout"
        case .draining: "local connection failure"
        }
    }

    var transportFailure: String? {
        if case .connectFailure(let reason) = self { return reason }
        return nil
    }
}
