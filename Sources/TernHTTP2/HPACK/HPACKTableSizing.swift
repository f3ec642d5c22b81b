/// RFC 7541's size rules for a dynamic table, kept once for the decoder's table and the
/// encoder's: each table knows how to forget its oldest entry, these rules say when.
protocol HPACKTableSizing {
    /// The sum of the entries' sizes (name + value + 32 each, §4.1).
    var size: Int { get }
    var maxSize: Int { get }
    var count: Int { get }
    /// Forgets the oldest entry; only called while `count > 0`.
    mutating func evictOldest()
}

extension HPACKTableSizing {
    /// Evicts the oldest entries until the table is within `maxSize` (§4.3, after a change).
    @inline(__always)
    mutating func evictToMaxSize() {
        while size > maxSize {
            evictOldest()
        }
    }

    /// Evicts the oldest entries until an entry of `entrySize` fits (§4.4). An entry larger
    /// than the whole table empties it and is not added: false.
    @inline(__always)
    mutating func evictToFit(entrySize: Int) -> Bool {
        guard entrySize <= maxSize else {
            while count > 0 {
                evictOldest()
            }
            return false
        }
        while size + entrySize > maxSize {
            evictOldest()
        }
        return true
    }
}
