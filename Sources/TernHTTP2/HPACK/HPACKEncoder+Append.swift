package import NIOCore
package import NIOHPACK

extension HPACKEncoder {
    // A block written field by field, for callers that hold their fields in another shape
    // (HTTP/1-style headers turned into HTTP/2 ones): no `HPACKHeaders` is built, and names can
    // be lower-cased into a scratch buffer on the way.

    /// Starts a block in `buffer`: the dynamic table size updates due go first.
    package mutating func beginBlock(into buffer: inout ByteBuffer) {
        announceTableSizeChange(into: &buffer)
    }

    /// Appends one field to the block begun in `buffer`; `name` is lower case.
    package mutating func append(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, indexing: HPACKIndexing,
                                 into buffer: inout ByteBuffer) {
        buffer.writeHPACK(maxLength: name.count + value.count + HPACKWriter.fieldOverhead) { writer in
            encodeField(name: name, value: value, indexing: indexing, into: &writer)
        }
    }
}
