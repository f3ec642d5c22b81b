/// A header block that cannot be decoded. The engine answers every one of these with the
/// connection error COMPRESSION_ERROR (RFC 9113 §4.3): once a block fails part-way, the two
/// dynamic tables can no longer be trusted to agree, so no later block on the connection can be.
package struct HPACKError: Error, Equatable {
    /// What was wrong, for logs and tests.
    package let reason: String

    package init(reason: String) {
        self.reason = reason
    }
}

// MARK: - The failures the decoder reports

extension HPACKError {
    /// The block ended inside a representation, integer or string.
    package static let truncated = HPACKError(reason: "header block ends mid-field")
    /// An integer longer or larger than any honest peer sends (RFC 7541 §5.1 leaves it unbounded).
    package static let integerOverflow = HPACKError(reason: "integer too large")
    /// Index 0 is reserved (RFC 7541 §6.1).
    package static let zeroIndex = HPACKError(reason: "index 0")
    /// An index past the end of the static and dynamic tables (RFC 7541 §2.3.3).
    package static let indexOutOfRange = HPACKError(reason: "index beyond the tables")
    /// Huffman padding longer than 7 bits, or not the most significant bits of EOS (RFC 7541 §5.2).
    package static let invalidHuffmanPadding = HPACKError(reason: "invalid Huffman padding")
    /// A Huffman string containing EOS (RFC 7541 §5.2).
    package static let huffmanEOS = HPACKError(reason: "EOS inside a Huffman string")
    /// A dynamic table size update above the SETTINGS_HEADER_TABLE_SIZE we advertised (§6.3).
    package static let tableSizeAboveLimit = HPACKError(reason: "dynamic table size update above the limit")
    /// A dynamic table size update after the first field of a block (RFC 7541 §4.2).
    package static let tableSizeUpdateNotAtStart = HPACKError(reason: "dynamic table size update after a field")
    /// More than the two size updates §4.2 can call for at the start of a block.
    package static let tooManyTableSizeUpdates = HPACKError(reason: "more than two dynamic table size updates")
    /// A field name with a byte above 0x7F: `HPACKHeaders` (and NIO's `HTTPHeaders`) trap on
    /// such names, so the decoder refuses them before a decoded field can reach either.
    package static let nonASCIIName = HPACKError(reason: "non-ASCII field name")
}
