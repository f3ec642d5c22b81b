// HPACK (RFC 7541) for Tern's HTTP/2 engine: this folder turns header blocks into fields
// (`HTTP2Fields`) and fields (`HPACKHeaders`, or one at a time) into blocks, and owns the two
// dynamic tables of a connection. It knows nothing of frames, streams or HTTP semantics
// (pseudo-header rules, name case): the engine joins HEADERS/CONTINUATION fragments before
// calling in, and the HTTP layer validates the fields that come out.
package import NIOCore
internal import NIOHPACK

/// Decodes the header blocks one peer sends on one connection, keeping the dynamic table in step
/// with that peer's encoder (RFC 7541 §2.2). Confined to the connection's event loop.
package struct HPACKDecoder {
    /// The SETTINGS_HEADER_TABLE_SIZE this side advertised: the most a size update may ask for.
    private let maxDynamicTableSize: Int
    var table: HPACKDynamicTable

    /// `maxDynamicTableSize`: the SETTINGS_HEADER_TABLE_SIZE this side advertised (4096 default).
    package init(maxDynamicTableSize: Int = 4096) {
        self.maxDynamicTableSize = maxDynamicTableSize
        self.table = HPACKDynamicTable(maxSize: maxDynamicTableSize)
    }

    /// Current size of the dynamic table (RFC 7541 §4.1), for tests and stats.
    package var dynamicTableSize: Int { table.size }
    /// Number of entries in the dynamic table.
    package var dynamicTableCount: Int { table.count }
    /// The table's current maximum size, as last set by the peer's size update.
    package var dynamicTableMaxSize: Int { table.maxSize }

    /// Decodes one complete header block (all HEADERS/CONTINUATION fragments joined), consuming `block`.
    /// `maxHeaderListSize`: RFC 9113 §6.5.2 size (name + value + 32 per field). Once the running size
    /// passes it, fields are no longer stored (no String is made for them) but decoding goes on to
    /// the end so the dynamic table stays in step; the result is then `.tooLarge`. Discarded fields
    /// still count (an indexed reference to a big table entry repeated many times must not be free).
    package mutating func decode(
        _ block: inout ByteBuffer, maxHeaderListSize: Int
    ) throws(HPACKError) -> HPACKDecodeResult {
        // Decoding works on the raw bytes (one bounds check per read, no ByteBuffer index
        // bookkeeping); typed throws do not cross the rethrowing closure, hence the Result.
        let result = block.withUnsafeReadableBytes { bytes -> Result<HPACKDecodeResult, HPACKError> in
            do throws(HPACKError) {
                return .success(try decodeFields(bytes, maxHeaderListSize: maxHeaderListSize))
            } catch {
                return .failure(error)
            }
        }
        block.moveReaderIndex(forwardBy: block.readableBytes)
        return try result.get()
    }
}

// MARK: - The block loop

extension HPACKDecoder {
    /// Walks the representations of RFC 7541 §6 in `bytes` to the end.
    private mutating func decodeFields(
        _ bytes: UnsafeRawBufferPointer, maxHeaderListSize: Int
    ) throws(HPACKError) -> HPACKDecodeResult {
        var reader = HPACKBlockReader(bytes)
        var collector = HPACKFieldCollector(limit: maxHeaderListSize, blockLength: bytes.count)
        var sizeUpdates = 0
        var sawField = false
        while !reader.isAtEnd {
            let first = try reader.readByte()
            if first & 0x80 != 0 {
                // §6.1 Indexed Header Field: 1xxxxxxx.
                let index = try reader.readInteger(after: first, prefixBits: 7)
                try addIndexedField(index, to: &collector)
            } else if first & 0x40 != 0 {
                // §6.2.1 Literal with Incremental Indexing: 01xxxxxx.
                try addLiteralField(first, prefixBits: 6, indexing: .indexable, reader: &reader, to: &collector)
            } else if first & 0x20 != 0 {
                // §6.3 Dynamic Table Size Update: 001xxxxx, only before the first field (§4.2),
                // and at most the two (lowest, then final) an encoder can owe us.
                guard !sawField else { throw .tableSizeUpdateNotAtStart }
                sizeUpdates += 1
                guard sizeUpdates <= 2 else { throw .tooManyTableSizeUpdates }
                let newSize = try reader.readInteger(after: first, prefixBits: 5)
                guard newSize <= maxDynamicTableSize else { throw .tableSizeAboveLimit }
                table.setMaxSize(newSize)
                continue
            } else {
                // §6.2.3 Never Indexed (0001xxxx) or §6.2.2 Without Indexing (0000xxxx).
                let indexing: HPACKIndexing = first & 0x10 != 0 ? .neverIndexed : .nonIndexable
                try addLiteralField(first, prefixBits: 4, indexing: indexing, reader: &reader, to: &collector)
            }
            sawField = true
        }
        return collector.result()
    }

    /// Adds the field at `index` of the static or dynamic table.
    private func addIndexedField(_ index: Int, to collector: inout HPACKFieldCollector) throws(HPACKError) {
        guard index != 0 else { throw .zeroIndex }
        if index <= HPACKStaticTable.count {
            let size = HPACKStaticTable.sizes[index - 1]
            if collector.admit(size: size) {
                collector.append(
                    name: HPACKStaticTable.names[index - 1], value: HPACKStaticTable.values[index - 1],
                    indexing: .indexable)
            }
            return
        }
        let position = index - HPACKStaticTable.count - 1
        guard position < table.count else { throw .indexOutOfRange }
        let slot = table.slot(at: position)
        if collector.admit(size: table.slots[slot].size) {
            // Straight from the slot, not through a copied Entry: each String is copied once,
            // into the result.
            collector.append(name: table.slots[slot].name, value: table.slots[slot].value, indexing: .indexable)
        }
    }
}
