internal import NIOHPACK

/// The literal representations of RFC 7541 §6.2, and turning string literals into Strings.
extension HPACKDecoder {
    /// Reads a literal field whose first octet is `first` (name index in its low `prefixBits`
    /// bits), adds it to `collector`, and, for §6.2.1, to the dynamic table.
    mutating func addLiteralField(
        _ first: UInt8, prefixBits: Int, indexing: HPACKIndexing,
        reader: inout HPACKBlockReader, to collector: inout HPACKFieldCollector
    ) throws(HPACKError) {
        let nameIndex = try reader.readInteger(after: first, prefixBits: prefixBits)
        let nameLiteral: HPACKStringLiteral? = nameIndex == 0 ? try reader.readString() : nil
        let valueLiteral = try reader.readString()
        let insertsIntoTable = indexing == .indexable

        // A field that is neither kept nor added to the table only needs its size, so while
        // discarding no String is made for it; Huffman strings are still decoded to be measured
        // and checked, since a bad one is a connection error either way.
        guard collector.isStoring || insertsIntoTable else {
            let nameLength: Int
            if let nameLiteral {
                nameLength = try Self.decodedLength(nameLiteral)
            } else {
                nameLength = try tableName(at: nameIndex).utf8.count
            }
            _ = collector.admit(size: nameLength + (try Self.decodedLength(valueLiteral)) + HPACKDynamicTable.entryOverhead)
            return
        }

        let name: String
        if let nameLiteral {
            name = try Self.makeString(nameLiteral)
            guard HPACKBytes.withUTF8(name, HPACKBytes.isASCII) else { throw .nonASCIIName }
        } else {
            // Resolved before the insertion below, which may evict the entry it names (§4.4).
            name = try tableName(at: nameIndex)
        }
        let value = try Self.makeString(valueLiteral)
        let stores = collector.admit(size: name.utf8.count + value.utf8.count + HPACKDynamicTable.entryOverhead)
        if insertsIntoTable {
            table.insert(name: name, value: value)
        }
        if stores {
            // Last use: the collector takes these Strings rather than copies.
            collector.append(name: name, value: value, indexing: indexing)
        }
    }

    /// The name at `index` of the static or dynamic table.
    private func tableName(at index: Int) throws(HPACKError) -> String {
        if index <= HPACKStaticTable.count {
            return HPACKStaticTable.names[index - 1]
        }
        let position = index - HPACKStaticTable.count - 1
        guard position < table.count else { throw .indexOutOfRange }
        return table.slots[table.slot(at: position)].name
    }

    // MARK: - String literals

    /// The literal's decoded bytes as a String. Invalid UTF-8 is repaired, not refused: bytes
    /// that are not valid field content are the HTTP layer's to reject.
    static func makeString(_ literal: HPACKStringLiteral) throws(HPACKError) -> String {
        guard literal.isHuffmanCoded else {
            return literal.bytes.withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self) }
        }
        guard literal.bytes.count > 0 else { return "" }
        // Decode straight into the String's storage: no intermediate buffer.
        var failure: HPACKError?
        let string = String(unsafeUninitializedCapacity: HPACKHuffmanDecoder.maxDecodedLength(literal.bytes.count)) {
            output in
            do throws(HPACKError) {
                return try HPACKHuffmanDecoder.decode(literal.bytes, into: output.baseAddress!)
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        return string
    }

    /// The literal's decoded length, validating Huffman coding without storing the result.
    static func decodedLength(_ literal: HPACKStringLiteral) throws(HPACKError) -> Int {
        guard literal.isHuffmanCoded else { return literal.bytes.count }
        return try HPACKHuffmanDecoder.decode(literal.bytes, into: nil)
    }
}
