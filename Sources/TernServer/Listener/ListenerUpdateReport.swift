/// What one `ListenerManager.apply` did, by listener name.
public struct ListenerUpdateReport: Sendable, Equatable {
    /// New listeners, bound.
    public var added: [String] = []
    /// Listeners whose sockets changed: new sockets bound, the old ones stopped and draining.
    public var replaced: [String] = []
    /// Listeners whose filter chains changed only: sockets kept, config swapped.
    public var updatedInPlace: [String] = []
    /// Listeners whose config did not change at all.
    public var unchanged: [String] = []
    /// Listeners gone from the config: stopped and draining.
    public var removed: [String] = []
    /// Listeners that could not be bound, with the reason.
    public var failures: [Failure] = []

    /// A listener that could not be created or replaced.
    public struct Failure: Sendable, Equatable, CustomStringConvertible {
        public let listener: String
        public let message: String
        public var description: String { "\(listener): \(message)" }
    }

    public init() {}
}
