import NIOCore

/// One served admin request, handed to the access-log hook (bootstrap `admin.access_log`); the
/// server formats and writes it with its own access-log machinery.
public struct AdminAccessLogEntry: Sendable {
    public var method: String
    /// The request target as received, query included.
    public var uri: String
    public var status: Int
    public var responseBytes: Int
    public var remoteAddress: SocketAddress?
    /// Nanoseconds from the complete request to the response being handed to the socket.
    public var durationNanoseconds: Int64

    public init(method: String, uri: String, status: Int, responseBytes: Int, remoteAddress: SocketAddress?,
                durationNanoseconds: Int64) {
        self.method = method
        self.uri = uri
        self.status = status
        self.responseBytes = responseBytes
        self.remoteAddress = remoteAddress
        self.durationNanoseconds = durationNanoseconds
    }
}

/// The admin access-log hook: called once per answered request, off the data path.
public typealias AdminAccessLog = @Sendable (AdminAccessLogEntry) -> Void
