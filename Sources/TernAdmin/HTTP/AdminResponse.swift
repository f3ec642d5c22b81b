/// What a handler answers: status, content type and the whole body. Admin responses are built in
/// full (the admin path may allocate freely) and written by `AdminHTTPHandler`.
public struct AdminResponse: Sendable, Equatable {
    /// HTTP status code.
    public var status: Int
    /// `content-type` header value.
    public var contentType: String
    public var body: String
    /// Runs once the response has been written (e.g. `/quitquitquit` exits only after its reply).
    public var afterSent: AfterSent?

    /// An action to run after the response left; responses compare equal whatever it is.
    public struct AfterSent: Sendable, Equatable {
        public let run: @Sendable () async -> Void
        public init(_ run: @escaping @Sendable () async -> Void) { self.run = run }
        public static func == (lhs: AfterSent, rhs: AfterSent) -> Bool { true }
    }

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
