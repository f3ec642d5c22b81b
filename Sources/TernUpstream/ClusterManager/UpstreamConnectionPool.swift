/// What every protocol's per-worker connection pool offers the cluster it belongs to.
/// Protocol pools (HTTP/1.1 and HTTP/2 in TernHTTP, later RPC) live above this target.
public protocol UpstreamConnectionPool: AnyObject {
    /// Stop handing out connections; close idle ones now and busy ones when their request ends.
    func drain()
    /// Connections open or being opened, for `/clusters` and tests.
    var connectionCount: Int { get }
}
