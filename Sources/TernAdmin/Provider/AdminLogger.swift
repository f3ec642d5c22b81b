/// One logger listed by `/logging`.
public struct AdminLogger: Sendable, Equatable {
    /// The component name (`admin`, `upstream`, `http`).
    public var name: String
    public var level: AdminLogLevel

    public init(name: String, level: AdminLogLevel) {
        self.name = name
        self.level = level
    }
}
