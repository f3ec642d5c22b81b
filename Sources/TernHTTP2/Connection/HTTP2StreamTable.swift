package import NIOHTTP2

/// A connection's streams by id, looked up for every frame and stream event. A `Dictionary`
/// runs its seeded SipHash on each lookup, which showed in profiles; here half the id (ids are
/// positive, odd from clients) goes through one multiplication (Fibonacci hashing) into an
/// open-addressed table with linear probing and backward-shift deletion (no tombstones). The
/// multiplication spreads ids handed out in order: indexed directly, the open streams sat in one
/// run of slots, and every removal walked the whole run. Not generic: the
/// stream objects are held as `AnyObject`, and each module reads them through a typed view
/// (`HTTP2StreamStates` here, `HTTP2Streams` in TernHTTP), which its own optimizer specializes. A
/// generic table in this module ran unspecialized from TernHTTP, looking up metadata at run time.
package struct HTTP2StreamTable: ~Copyable {
    package typealias Value = AnyObject
    // Raw buffers in a noncopyable struct: a lookup through the owning connection borrows the
    // table in place. Two arrays were copied out of the connection (a retain and a release
    // each) on every lookup, insert and removal.
    private var keys: UnsafeMutablePointer<Int32>
    private var values: UnsafeMutablePointer<Value?>
    private var mask: Int
    /// 32 minus log2 of the table size: the hash's top bits are the slot.
    private var shift: UInt32
    package private(set) var count = 0

    package init() {
        (keys, values) = Self.allocate(16)
        mask = 15
        shift = 28
    }

    deinit {
        values.deinitialize(count: mask + 1)
        values.deallocate()
        keys.deallocate()
    }

    private static func allocate(_ size: Int) -> (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Value?>) {
        let keys = UnsafeMutablePointer<Int32>.allocate(capacity: size)
        keys.initialize(repeating: 0, count: size)
        let values = UnsafeMutablePointer<Value?>.allocate(capacity: size)
        values.initialize(repeating: nil, count: size)
        return (keys, values)
    }

    package var isEmpty: Bool { count == 0 }

    /// Every stream, in no particular order.
    package var all: [Value] {
        var out: [Value] = []
        out.reserveCapacity(count)
        for i in 0...mask { if let v = values[i] { out.append(v) } }
        return out
    }

    package subscript(id: HTTP2StreamID) -> Value? {
        get {
            let key = Int32(id)
            var i = slot(key)
            while true {
                let k = keys[i]
                if k == key { return values[i] }
                if k == 0 { return nil }
                i = (i + 1) & mask
            }
        }
        set {
            if let newValue {
                insert(Int32(id), newValue)
            } else {
                _ = removeValue(forKey: id)
            }
        }
    }

    @discardableResult
    package mutating func removeValue(forKey id: HTTP2StreamID) -> Value? {
        let key = Int32(id)
        var i = slot(key)
        while keys[i] != key {
            if keys[i] == 0 { return nil }
            i = (i + 1) & mask
        }
        let removed = (values + i).move()
        (values + i).initialize(to: nil)
        keys[i] = 0
        count -= 1
        // Shift back the entries after it whose home slot is at or before the hole.
        var hole = i
        var j = (i + 1) & mask
        while keys[j] != 0 {
            let home = slot(keys[j])
            // `j` may move into `hole` when `home` is not cyclically in (hole, j].
            let between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !between {
                keys[hole] = keys[j]
                swap(&values[hole], &values[j])  // the hole holds nil
                keys[j] = 0
                hole = j
            }
            j = (j + 1) & mask
        }
        return removed
    }

    private func slot(_ key: Int32) -> Int { Int((UInt32(bitPattern: key >> 1) &* 2_654_435_769) >> shift) }

    private mutating func insert(_ key: Int32, _ value: Value) {
        precondition(key > 0, "stream 0 is the connection")
        if (count + 1) * 2 > mask + 1 { grow() }
        var i = slot(key)
        while true {
            if keys[i] == key {
                values[i] = value
                return
            }
            if keys[i] == 0 {
                keys[i] = key
                values[i] = value
                count += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        let oldSize = mask + 1
        (keys, values) = Self.allocate(oldSize * 2)
        mask = oldSize * 2 - 1
        shift -= 1
        count = 0
        for i in 0..<oldSize where oldKeys[i] != 0 { insert(oldKeys[i], (oldValues + i).move()!) }
        for i in 0..<oldSize where oldKeys[i] == 0 { (oldValues + i).deinitialize(count: 1) }
        oldValues.deallocate()
        oldKeys.deallocate()
    }
}

/// The codec's typed view of a stream table.
struct HTTP2StreamStates: ~Copyable {
    private var table = HTTP2StreamTable()

    var count: Int { table.count }
    var all: [HTTP2StreamState] { table.all.map { unsafeDowncast($0, to: HTTP2StreamState.self) } }

    subscript(id: HTTP2StreamID) -> HTTP2StreamState? {
        get { table[id].map { unsafeDowncast($0, to: HTTP2StreamState.self) } }
        set { table[id] = newValue }
    }

    @discardableResult
    mutating func removeValue(forKey id: HTTP2StreamID) -> HTTP2StreamState? {
        table.removeValue(forKey: id).map { unsafeDowncast($0, to: HTTP2StreamState.self) }
    }
}
