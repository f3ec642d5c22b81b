package import NIOHPACK

/// The fields of one decoded header block, in order, as the decoder made them: name/value pairs,
/// plus each field's indexing once the block has held a field that was not indexable (nil while
/// every field is indexable, the common case).
///
/// The decoder hands these over instead of an `HPACKHeaders`: wrapping the pairs in one copies
/// every field into a second array (a retain per String, and later a release and a generic array
/// destruction), only for the connection manager to copy the fields out again into its
/// HTTP/1-shaped head. Handing the pairs over took 61.3k user instructions per proxied h2c to
/// h2c request down to 59.0k (callgrind). Read it like `HPACKHeaders` (elements
/// `(name, value, indexable)`), or read `pairs` where the indexing does not matter.
package struct HTTP2Fields: RandomAccessCollection {
    package private(set) var pairs: [(String, String)]
    private var indexings: [HPACKIndexing]?

    /// Fields with their indexings, one per pair; nil: every field indexable (or its indexing
    /// does not matter).
    package init(_ pairs: [(String, String)], indexings: [HPACKIndexing]? = nil) {
        precondition(indexings.map { $0.count == pairs.count } ?? true, "one indexing per field")
        self.pairs = pairs
        self.indexings = indexings
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { pairs.count }

    package subscript(position: Int) -> (name: String, value: String, indexable: HPACKIndexing) {
        let (name, value) = pairs[position]
        return (name, value, indexings?[position] ?? .indexable)
    }
}
