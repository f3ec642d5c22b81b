/// The decoder's dynamic table (RFC 7541 §2.3.2, §4), kept in step with the peer's encoder.
///
/// A ring buffer: inserting and evicting move an index instead of shifting entries, so neither
/// costs more than storing two String references. Position 0 is the newest entry (HPACK index
/// 62). Entries are Strings because an indexed field becomes an `HTTP2Fields` pair as is; the
/// encoder, which only compares bytes, keeps an `HPACKEncoderTable` instead.
struct HPACKDynamicTable: HPACKTableSizing {
    /// One field in the table.
    struct Entry {
        var name: String
        var value: String
        /// name + value + 32 octets (RFC 7541 §4.1).
        var size: Int

        static let empty = Entry(name: "", value: "", size: 0)
    }

    /// Per-entry overhead of RFC 7541 §4.1.
    static let entryOverhead = 32

    /// Ring storage; its count is 0 or a power of two so positions wrap with a mask.
    private(set) var slots: [Entry] = []
    /// The slot the next insertion goes into.
    private var nextSlot = 0
    /// Number of entries held.
    private(set) var count = 0
    /// Sum of the entries' sizes (RFC 7541 §4.1).
    private(set) var size = 0
    /// The size the table must stay within, as last set by a size update (§4.2).
    private(set) var maxSize: Int

    init(maxSize: Int) {
        self.maxSize = maxSize
    }

    /// The slot holding the entry at `position`, 0 being the newest. The caller checks
    /// `position < count`.
    @inline(__always)
    func slot(at position: Int) -> Int {
        (nextSlot &- 1 &- position) & (slots.count &- 1)
    }

    /// The entry at `position`, 0 being the newest. The caller checks `position < count`.
    @inline(__always)
    func entry(at position: Int) -> Entry {
        slots[slot(at: position)]
    }

    /// Changes the maximum size, evicting the oldest entries until the table fits (§4.3).
    mutating func setMaxSize(_ newMaxSize: Int) {
        maxSize = newMaxSize
        evictToMaxSize()
    }

    /// Adds a field as the newest entry, first evicting until it fits; a field larger than the
    /// whole table leaves the table empty and is not added (RFC 7541 §4.4).
    mutating func insert(name: String, value: String) {
        let entrySize = name.utf8.count + value.utf8.count + Self.entryOverhead
        guard evictToFit(entrySize: entrySize) else { return }
        if count == slots.count {
            grow()
        }
        slots[nextSlot] = Entry(name: name, value: value, size: entrySize)
        nextSlot = (nextSlot + 1) & (slots.count - 1)
        count += 1
        size += entrySize
    }

    // MARK: - Ring maintenance

    mutating func evictOldest() {
        let slot = (nextSlot &- count) & (slots.count &- 1)
        size -= slots[slot].size
        // Drop the strings now rather than when the slot is reused, so evicted values do not
        // stay alive for the life of the connection.
        slots[slot] = .empty
        count -= 1
    }

    /// Doubles the ring, laying the entries out oldest first from slot 0. The table can hold at
    /// most maxSize / 32 entries, so this happens a handful of times per connection at most.
    private mutating func grow() {
        let newCapacity = Swift.max(16, slots.count * 2)
        var newSlots = [Entry](repeating: .empty, count: newCapacity)
        for age in 0..<count {
            newSlots[age] = entry(at: count - 1 - age)
        }
        slots = newSlots
        nextSlot = count
    }
}
