// Talks to an admin listener (Tern's or Envoy's) over a plain socket: one request per connection.

/// An HTTP/1.1 client for admin endpoints on 127.0.0.1.
public struct AdminClient: Sendable {
    public let port: Int

    public init(port: Int) {
        self.port = port
    }

    /// GETs `path` (e.g. "/stats?format=json") and returns the response.
    public func get(_ path: String, timeout: Duration = .seconds(10)) async throws -> HTTPResponse {
        try await request("GET", path, timeout: timeout)
    }

    /// POSTs to `path` with an empty body (Envoy's mutating admin endpoints want POST).
    public func post(_ path: String, timeout: Duration = .seconds(10)) async throws -> HTTPResponse {
        try await request("POST", path, timeout: timeout)
    }

    private func request(_ method: String, _ path: String, timeout: Duration) async throws -> HTTPResponse {
        let connection = try await RawConnection.connect(port: port, timeout: timeout)
        let read: RawRead
        do {
            try await connection.send(
                "\(method) \(path) HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            read = try await connection.readResponses(1, timeout: timeout)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        guard let response = read.responses.first else {
            throw HarnessError("admin \(method) \(path): no complete response (\(read.bytes.count) bytes, "
                               + "timed out: \(read.timedOut))")
        }
        return response
    }
}
