/// What a handler answers: status, content type and the whole body. Admin responses are built in
/// full (the admin path may allocate freely) and written by `AdminHTTPHandler`.
public struct AdminResponse: Sendable, Equatable {
    /// HTTP status code.
    public var status: Int
    /// `content-type` header value.
    public var contentType: String
    public var body: String

    public init(status: Int = 200, contentType: String = AdminResponse.textContentType, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// Envoy's default admin content type.
    public static let textContentType = "text/plain; charset=UTF-8"
    public static let jsonContentType = "application/json"

    /// A plain-text answer.
    public static func text(_ body: String, status: Int = 200) -> AdminResponse {
        AdminResponse(status: status, contentType: textContentType, body: body)
    }

    /// A JSON answer.
    public static func json(_ body: String, status: Int = 200) -> AdminResponse {
        AdminResponse(status: status, contentType: jsonContentType, body: body)
    }

    /// A JSON value rendered pretty, as Envoy prints protos (`/clusters?format=json`, ...).
    public static func json(_ value: AdminJSON) -> AdminResponse {
        json(value.rendered(pretty: true))
    }
}
