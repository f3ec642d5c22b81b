/// An error a provider throws to answer an admin request with a given status and plain-text body
/// (e.g. `/config_dump?resource=unknown` → 404).
public struct AdminError: Error, Sendable, Equatable {
    /// HTTP status code to answer with.
    public var status: Int
    /// Response body, sent as `text/plain`.
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }
}
