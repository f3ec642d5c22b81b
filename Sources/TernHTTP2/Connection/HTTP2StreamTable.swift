package import NIOHTTP2

/// A connection's streams by id, looked up for every frame and stream event. A `Dictionary`
/// runs its seeded SipHash on each lookup, which showed in profiles; stream ids are positive and
/// handed out in order (odd from clients), so half the id indexes an open-addressed table
/// directly, with linear probing and backward-shift deletion (no tombstones). Inlinable, so
/// other modules get it specialized for their stream type (unspecialized, every access looked
/// up generic metadata at run time).
@frozen
package struct HTTP2StreamTable<Value: AnyObject> {
    @usableFromInline var keys: [Int32]
    @usableFromInline var values: [Value?]
    @usableFromInline var mask: Int
    @usableFromInline package internal(set) var count = 0

    @inlinable
    package init() {
        keys = Array(repeating: 0, count: 16)
        values = Array(repeating: nil, count: 16)
        mask = 15
    }

    @inlinable
    package var isEmpty: Bool { count == 0 }

    /// Every stream, in no particular order.
    @inlinable
    package var all: [Value] {
        var out: [Value] = []
        out.reserveCapacity(count)
        for v in values { if let v { out.append(v) } }
        return out
    }

    @inlinable
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
    @inlinable
    package mutating func removeValue(forKey id: HTTP2StreamID) -> Value? {
        let key = Int32(id)
        var i = slot(key)
        while keys[i] != key {
            if keys[i] == 0 { return nil }
            i = (i + 1) & mask
        }
        let removed = values[i]
        keys[i] = 0
        values[i] = nil
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
                values[hole] = values[j]
                keys[j] = 0
                values[j] = nil
                hole = j
            }
            j = (j + 1) & mask
        }
        return removed
    }

    @inlinable
    func slot(_ key: Int32) -> Int { Int(key >> 1) & mask }

    @inlinable
    mutating func insert(_ key: Int32, _ value: Value) {
        precondition(key > 0, "stream 0 is the connection")
        if (count + 1) * 2 > keys.count { grow() }
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

    @inlinable
    mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        values = Array(repeating: nil, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for (k, v) in zip(oldKeys, oldValues) where k != 0 { insert(k, v!) }
    }
}
