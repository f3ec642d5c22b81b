internal import NIOHTTP2
import TernHTTP2

/// A connection's streams by id (`HTTP2StreamTable`) as this module's own stream type.
/// Generic here, so this module's optimizer specializes it for each connection's streams.
struct HTTP2Streams<Value: AnyObject>: ~Copyable {
    private var table = HTTP2StreamTable()

    var count: Int { table.count }
    var isEmpty: Bool { table.isEmpty }
    /// Every stream, in no particular order.
    var all: [Value] { table.all.map { unsafeDowncast($0, to: Value.self) } }

    subscript(id: HTTP2StreamID) -> Value? {
        get { table[id].map { unsafeDowncast($0, to: Value.self) } }
        set { table[id] = newValue }
    }

    @discardableResult
    mutating func removeValue(forKey id: HTTP2StreamID) -> Value? {
        table.removeValue(forKey: id).map { unsafeDowncast($0, to: Value.self) }
    }
}
