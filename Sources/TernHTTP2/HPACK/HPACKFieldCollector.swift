internal import NIOHPACK

/// Gathers the fields of one block while enforcing the caller's header list size (RFC 9113
/// §6.5.2). Every field counts, stored or not; past the limit the collector stops storing and
/// lets go of what it had, and the block's result becomes `.tooLarge`.
///
/// Fields are kept as plain pairs and handed over as they are (`HTTP2Fields`): `HPACKHeaders.add`
/// checks every name for non-ASCII bytes (a precondition, so also in release builds), which cost
/// about 290 instructions a field, 3k per proxied HTTP/2 request, for names the decoder has just
/// read. The indexing of each field is kept alongside only once a block holds a field sent
/// without indexing or never indexed (RFC 7541 §6.2.2, §6.2.3), so that its representation
/// survives.
struct HPACKFieldCollector {
    /// Fields a block is assumed to hold at most before the list has to grow: every field takes
    /// at least one octet, so a short block needs less; a longer block rarely carries more than
    /// this many fields (its length is mostly long values), and one regrowth is cheap.
    private static let reservedFields = 24

    private let limit: Int
    private var listSize = 0
    private var fields: [(String, String)] = []
    /// The indexing of each field, kept only once a field that is not indexable has been seen
    /// (nil while every field so far is indexable, the common case).
    private var indexings: [HPACKIndexing]?
    /// Whether fields are still being kept (the running size has not passed the limit).
    private(set) var isStoring = true

    init(limit: Int, blockLength: Int) {
        self.limit = limit
        fields.reserveCapacity(Swift.min(blockLength, Self.reservedFields))
    }

    /// Counts a field of RFC 9113 §6.5.2 size `size`; returns whether to store it.
    @inline(__always)
    mutating func admit(size: Int) -> Bool {
        listSize += size
        if isStoring && listSize > limit {
            isStoring = false
            fields = []
            indexings = nil
        }
        return isStoring
    }

    /// Stores a field `admit` said to keep. The Strings are consumed, so a caller done with them
    /// hands them over instead of paying for a copy.
    @inline(__always)
    mutating func append(name: consuming String, value: consuming String, indexing: HPACKIndexing) {
        if indexing != .indexable || indexings != nil {
            if indexings == nil { indexings = Array(repeating: .indexable, count: fields.count) }
            indexings!.append(indexing)
        }
        fields.append((name, value))
    }

    /// The block's outcome.
    func result() -> HPACKDecodeResult {
        isStoring ? .headers(HTTP2Fields(fields, indexings: indexings)) : .tooLarge
    }
}
