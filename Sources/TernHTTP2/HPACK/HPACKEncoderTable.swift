/// The encoder's dynamic table (RFC 7541 §2.3.2, §4): the same entries, in the same order, as
/// the peer's decoder holds, but kept as bytes.
///
/// The encoder only ever compares a field with its entries and copies a field in; it never hands
/// an entry out as a String. So entries live in one byte array (name then value, oldest first)
/// plus a ring of small records, and neither search nor insertion touches a reference count.
/// The decoder's table, which must produce Strings, is `HPACKDynamicTable`.
///
/// Entries are numbered by insertion (`sequence`); the live ones are `oldest..<next`, HPACK
/// position 0 being `next - 1`. Searches follow per-hash chains (see `+Search`), so a field
/// that is not in a full table costs a couple of comparisons, not one per entry.
struct HPACKEncoderTable: HPACKTableSizing {
    /// Where one entry's bytes are, its search keys, and its links to older entries.
    struct Entry {
        /// Stream position (see `HPACKEncoderTable.base`) of the entry's first name byte; the
        /// value follows the name.
        var start: Int
        var nameLength: Int32
        var valueLength: Int32
        /// `HPACKBytes.hash` of the name, and of the value seeded from it; compared before bytes.
        var nameHash: UInt32
        var fieldHash: UInt32
        /// Sequence numbers of the next older entries in this entry's name and field chains;
        /// anything below `oldest` ends the chain.
        var olderInNameChain: Int
        var olderInFieldChain: Int

        /// name + value + 32 octets (RFC 7541 §4.1).
        var size: Int { Int(nameLength) + Int(valueLength) + HPACKDynamicTable.entryOverhead }

        static let empty = Entry(
            start: 0, nameLength: 0, valueLength: 0, nameHash: 0, fieldHash: 0, olderInNameChain: -1,
            olderInFieldChain: -1)
    }

    /// Chains per hash kind. The table holds at most 4096 / 32 = 128 entries, so with 128
    /// chains a miss usually finds an empty or one-entry chain.
    static let chainCount = 128

    /// Entry ring: entry `sequence` is at `sequence & (entries.count - 1)`; the count is 0 or a
    /// power of two at least the number of live entries.
    private(set) var entries: [Entry] = []
    /// Newest entry of each name chain (`nameHash`) then of each field chain (`fieldHash`),
    /// `chainCount` of each; -1 or an evicted entry means the chain is empty.
    private(set) var chainHeads: [Int] = []
    /// Sequence number of the oldest live entry.
    private(set) var oldest = 0
    /// Sequence number the next insertion gets.
    private(set) var next = 0
    /// Sum of the entries' sizes (RFC 7541 §4.1).
    private(set) var size = 0
    /// The size the table must stay within, as last set by a size update (§4.2).
    private(set) var maxSize: Int

    /// The entries' bytes. Inserting appends and evicting only forgets, so the live bytes are
    /// one run, oldest entry first; when the run reaches the end it is moved back to the start.
    private(set) var bytes: [UInt8] = []
    /// Byte positions count every byte ever appended ("stream positions"), so moving the live
    /// run changes only `base`, the stream position of `bytes[0]`, and no entry.
    private(set) var base = 0
    /// Stream position just past the newest entry's bytes.
    private var end = 0

    init(maxSize: Int) {
        self.maxSize = maxSize
    }

    /// Number of entries held.
    var count: Int { next - oldest }

    /// The chain of `hash`: name chains first, then field chains (`chainCount` each).
    @inline(__always)
    static func chain(_ hash: UInt32, fields: Bool) -> Int {
        // Fibonacci hashing: the top bits of the product mix every bit of the FNV hash.
        Int(truncatingIfNeeded: (hash &* 0x9E37_79B1) >> 25) &+ (fields ? chainCount : 0)
    }

    /// Changes the maximum size, evicting the oldest entries until the table fits (§4.3).
    mutating func setMaxSize(_ newMaxSize: Int) {
        maxSize = newMaxSize
        evictToMaxSize()
    }

    /// Adds a field as the newest entry, first evicting until it fits; a field larger than the
    /// whole table leaves the table empty and is not added (RFC 7541 §4.4).
    mutating func insert(
        name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, nameHash: UInt32, fieldHash: UInt32
    ) {
        let entrySize = name.count + value.count + HPACKDynamicTable.entryOverhead
        guard evictToFit(entrySize: entrySize) else { return }
        if count == entries.count {
            growEntries()
        }
        appendBytes(name, value)
        let nameChain = Self.chain(nameHash, fields: false)
        let fieldChain = Self.chain(fieldHash, fields: true)
        entries[next & (entries.count - 1)] = Entry(
            start: end - name.count - value.count, nameLength: Int32(name.count), valueLength: Int32(value.count),
            nameHash: nameHash, fieldHash: fieldHash,
            olderInNameChain: chainHeads[nameChain], olderInFieldChain: chainHeads[fieldChain])
        chainHeads[nameChain] = next
        chainHeads[fieldChain] = next
        next += 1
        size += entrySize
    }

    // MARK: - Storage maintenance

    /// Forgets the oldest entry; its bytes stay until the live run is next moved, and chains
    /// stop at it by its sequence number.
    mutating func evictOldest() {
        size -= entries[oldest & (entries.count &- 1)].size
        oldest += 1
    }

    /// Copies `name` then `value` after the live bytes, making room first if needed.
    private mutating func appendBytes(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        let length = name.count + value.count
        if end - base + length > bytes.count {
            makeRoom(for: length)
        }
        bytes.withUnsafeMutableBytes { storage in
            let at = end - base
            if name.count > 0 {
                (storage.baseAddress! + at).copyMemory(from: name.baseAddress!, byteCount: name.count)
            }
            if value.count > 0 {
                (storage.baseAddress! + at + name.count).copyMemory(from: value.baseAddress!, byteCount: value.count)
            }
        }
        end += length
    }

    /// Makes room after the live bytes for `length` more. The live bytes are under `maxSize`
    /// (at most 4096), so the array stops growing at twice that; keeping it at least twice the
    /// live run means each move is paid for by as many bytes appended since the last one.
    private mutating func makeRoom(for length: Int) {
        let liveStart = count > 0 ? entries[oldest & (entries.count &- 1)].start : end
        let liveLength = end - liveStart
        let needed = 2 * (liveLength + length)
        if needed > bytes.count {
            var capacity = Swift.max(256, bytes.count)
            while capacity < needed {
                capacity *= 2
            }
            var grown = [UInt8](repeating: 0, count: capacity)
            if liveLength > 0 {
                bytes.withUnsafeBytes { old in
                    grown.withUnsafeMutableBytes { new in
                        new.baseAddress!.copyMemory(from: old.baseAddress! + (liveStart - base), byteCount: liveLength)
                    }
                }
            }
            bytes = grown
        } else if liveLength > 0 {
            bytes.withUnsafeMutableBytes { storage in
                // Overlapping moves are fine: copyMemory is a memmove.
                storage.baseAddress!.copyMemory(from: storage.baseAddress! + (liveStart - base), byteCount: liveLength)
            }
        }
        base = liveStart
    }

    /// Doubles the entry ring, moving each live entry to its slot under the new mask. The table
    /// holds at most maxSize / 32 entries, so this happens a handful of times per connection.
    private mutating func growEntries() {
        if chainHeads.isEmpty {
            chainHeads = [Int](repeating: -1, count: 2 * Self.chainCount)
        }
        let newCapacity = Swift.max(16, entries.count * 2)
        var newEntries = [Entry](repeating: .empty, count: newCapacity)
        for sequence in oldest..<next {
            newEntries[sequence & (newCapacity - 1)] = entries[sequence & (entries.count - 1)]
        }
        entries = newEntries
    }
}
