import NIOCore

/// The compiled `admin` block: where the admin listener binds and where it logs requests.
public struct AdminConfig: Sendable, Equatable {
    /// `admin.address`.
    public let address: SocketAddress
    /// `admin.access_log_path` (empty: no admin access log).
    public let accessLogPath: String

    public init(address: SocketAddress, accessLogPath: String) {
        self.address = address
        self.accessLogPath = accessLogPath
    }
}
