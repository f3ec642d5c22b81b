internal import NIOHPACK

/// Choosing and writing the representation of one field (RFC 7541 §6).
extension HPACKEncoder {
    /// Encodes one field: an index when the whole field is in a table and may be indexed,
    /// otherwise a literal naming the field by index where possible, adding it to the table
    /// when `shouldIndex` says it is worth it.
    mutating func encodeField(
        name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, indexing: HPACKIndexing,
        into writer: inout HPACKWriter
    ) {
        let staticMatch = HPACKStaticTable.match(name: name, value: value)
        // Only an indexable field may be sent as an index: the other two must reach the peer
        // as literals so their indexing survives re-encoding by intermediaries (§6.2.2, §6.2.3).
        if indexing == .indexable, staticMatch.exact != 0 {
            writer.writeInteger(staticMatch.exact, prefixBits: 7, flags: 0x80)
            return
        }

        var nameIndex = staticMatch.name
        let mayInsert = indexing == .indexable && shouldIndex(name: name, value: value)
        // The table can supply the whole field (indexable only) or a name the static table lacks.
        let searchesTable = table.count > 0 && (indexing == .indexable || nameIndex == 0)
        var nameHash: UInt32 = 0
        var fieldHash: UInt32 = 0
        if mayInsert || searchesTable {
            nameHash = HPACKBytes.hash(name)
            fieldHash = HPACKBytes.hash(value, seed: nameHash ^ 0xFF)
        }
        if searchesTable {
            if indexing == .indexable,
               let position = table.position(ofName: name, value: value, nameHash: nameHash, fieldHash: fieldHash) {
                writer.writeInteger(HPACKStaticTable.count + 1 + position, prefixBits: 7, flags: 0x80)
                return
            }
            if nameIndex == 0, let position = table.position(ofName: name, nameHash: nameHash) {
                nameIndex = HPACKStaticTable.count + 1 + position
            }
        }

        switch indexing {
        case .indexable where mayInsert:
            writeLiteral(nameIndex: nameIndex, name: name, value: value, prefixBits: 6, flags: 0x40, into: &writer)
            // After writing: the name index above refers to the table before this insertion,
            // as the peer resolves it (§6.2.1).
            table.insert(name: name, value: value, nameHash: nameHash, fieldHash: fieldHash)
        case .indexable, .nonIndexable:
            writeLiteral(nameIndex: nameIndex, name: name, value: value, prefixBits: 4, flags: 0x00, into: &writer)
        case .neverIndexed:
            writeLiteral(nameIndex: nameIndex, name: name, value: value, prefixBits: 4, flags: 0x10, into: &writer)
        }
    }

    /// Writes a §6.2 literal: the first octet's flags and name index (0 = literal name follows),
    /// then the name if not indexed, then the value.
    private func writeLiteral(
        nameIndex: Int, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
        prefixBits: Int, flags: UInt8, into writer: inout HPACKWriter
    ) {
        writer.writeInteger(nameIndex, prefixBits: prefixBits, flags: flags)
        if nameIndex == 0 {
            writer.writeString(name)
        }
        // Huffman-code only a value that enters the table: coded once, referenced by index
        // afterwards. A value sent as a literal is usually new per message (a date, a length, a
        // request id), and coding it every time costs more CPU than its few bytes are worth.
        writer.writeString(value, huffman: flags == 0x40)
    }
}
