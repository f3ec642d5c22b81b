internal import NIOHPACK

/// Gathers the fields of one block while enforcing the caller's header list size (RFC 9113
/// §6.5.2). Every field counts, stored or not; past the limit the collector stops storing and
/// lets go of what it had, and the block's result becomes `.tooLarge`.
struct HPACKFieldCollector {
    /// Fields a block is assumed to hold at most before the list has to grow: every field takes
    /// at least one octet, so a short block needs less; a longer block rarely carries more than
    /// this many fields (its length is mostly long values), and one regrowth is cheap.
    private static let reservedFields = 24

    private let limit: Int
    private var listSize = 0
    private var headers = HPACKHeaders()
    /// Whether fields are still being kept (the running size has not passed the limit).
    private(set) var isStoring = true

    init(limit: Int, blockLength: Int) {
        self.limit = limit
        headers.reserveCapacity(Swift.min(blockLength, Self.reservedFields))
    }

    /// Counts a field of RFC 9113 §6.5.2 size `size`; returns whether to store it.
    @inline(__always)
    mutating func admit(size: Int) -> Bool {
        listSize += size
        if isStoring && listSize > limit {
            isStoring = false
            headers = HPACKHeaders()
        }
        return isStoring
    }

    /// Stores a field `admit` said to keep. The Strings are consumed, so a caller done with them
    /// hands them over instead of paying for a copy.
    @inline(__always)
    mutating func append(name: consuming String, value: consuming String, indexing: HPACKIndexing) {
        headers.add(name: name, value: value, indexing: indexing)
    }

    /// The block's outcome.
    func result() -> HPACKDecodeResult {
        isStoring ? .headers(headers) : .tooLarge
    }
}
