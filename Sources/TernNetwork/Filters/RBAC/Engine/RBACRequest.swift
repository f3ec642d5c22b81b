import NIOCore
import TernTransport

/// What the RBAC engine decides on: the addresses of one connection or request and, for HTTP,
/// the request itself. A small value made per decision, so the engine is testable without sockets.
public struct RBACRequest {
    /// The peer of the connection (`direct_remote_ip`, `source_ip`).
    public var directRemoteAddress: SocketAddress?
    /// The client address trusted after `x-forwarded-for` processing (`remote_ip`); the peer at
    /// network level.
    public var remoteAddress: SocketAddress?
    /// The address the connection was accepted on (`destination_ip`, `destination_port`).
    public var localAddress: SocketAddress?
    /// The HTTP request when the HTTP filter asks; nil for the network filter. Rules compiled by
    /// TernHTTP (`header`, `url_path`) read it; TernNetwork never looks inside.
    public var http: (any RBACHTTPAttributes)?
    /// The connection's TLS session (`authenticated`); nil on plaintext.
    public var tls: TLSConnectionInfo?
    /// The SNI tls_inspector read (`requested_server_name`); empty when unknown.
    public var requestedServerName: String

    public init(directRemoteAddress: SocketAddress?, remoteAddress: SocketAddress?, localAddress: SocketAddress?,
                http: (any RBACHTTPAttributes)? = nil, tls: TLSConnectionInfo? = nil, requestedServerName: String = "") {
        self.tls = tls
        self.requestedServerName = requestedServerName
        self.directRemoteAddress = directRemoteAddress
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
        self.http = http
    }
}

/// The HTTP side of an `RBACRequest`, defined by TernHTTP (which TernNetwork cannot import).
public protocol RBACHTTPAttributes {}
