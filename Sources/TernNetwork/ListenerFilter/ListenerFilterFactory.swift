/// A compiled listener filter: lives in the snapshot, makes one `ListenerFilter` per connection.
public protocol ListenerFilterFactory: Sendable {
    /// A filter for a connection accepted on `worker`.
    func makeFilter(worker: Worker) -> any ListenerFilter
    /// The most bytes the filter will want before it decides; the listener-filter phase never
    /// holds more than the largest of these (plus one read).
    var maxReadBytes: Int { get }
}
