package import NIOCore
package import NIOHPACK

/// Encodes the header blocks this side sends on one connection, keeping a dynamic table that the
/// peer's decoder mirrors (RFC 7541 §2.2). Confined to the connection's event loop.
package struct HPACKEncoder {
    /// The most table this side keeps per connection, whatever the peer allows. The protocol's
    /// default, 4096, already catches the fields that repeat (authority, user-agent, cookies,
    /// content-type); a larger table mostly holds one-off values, and a proxy multiplies it by
    /// every connection it holds.
    package static let maxTableSize = 4096
    /// Writable octets reserved for a round of fields: a typical block fits in one round.
    static let roundReservation = 512

    var table = HPACKEncoderTable(maxSize: HPACKEncoder.maxTableSize)
    /// The maximum size the peer's decoder currently believes our table has.
    private var announcedMaxSize = HPACKEncoder.maxTableSize
    /// The smallest maximum size set since the last announcement: if the table shrank and grew
    /// again, the peer must hear the low point to evict what we evicted (RFC 7541 §4.2).
    private var lowestMaxSize = HPACKEncoder.maxTableSize

    package init() {}

    /// Current size of the dynamic table (RFC 7541 §4.1), for tests and stats.
    package var dynamicTableSize: Int { table.size }
    /// Number of entries in the dynamic table.
    package var dynamicTableCount: Int { table.count }
    /// The table's current maximum size.
    package var dynamicTableMaxSize: Int { table.maxSize }

    /// The peer's SETTINGS_HEADER_TABLE_SIZE: the encoder's table must stay within it; a change
    /// is announced with a dynamic table size update at the start of the next block (RFC 7541 §4.2, §6.3).
    package mutating func setMaxDynamicTableSize(_ size: Int) {
        let newMaxSize = Swift.max(0, Swift.min(size, Self.maxTableSize))
        // Evict now: no block is encoded before the announcement, and the peer evicts the same
        // entries when it reads the update.
        table.setMaxSize(newMaxSize)
        lowestMaxSize = Swift.min(lowestMaxSize, newMaxSize)
    }

    /// Appends the encoded block for `headers` to `buffer`.
    package mutating func encode(_ headers: HPACKHeaders, into buffer: inout ByteBuffer) {
        announceTableSizeChange(into: &buffer)
        // Fields are written straight into reserved room, a round of fields per reservation: a
        // `ByteBuffer` call costs about as much as encoding a short field. A field that might
        // not fit ends the round, and the next round reserves at least what it needs.
        var index = headers.startIndex
        var reservation = Self.roundReservation
        while index != headers.endIndex {
            buffer.writeHPACK(maxLength: reservation) { writer in
                while index != headers.endIndex {
                    let (name, value, indexing) = headers[index]
                    let needed = HPACKBytes.withUTF8(name) { name in
                        HPACKBytes.withUTF8(value) { value in
                            // The representation is never longer than this.
                            let needed = name.count + value.count + HPACKWriter.fieldOverhead
                            guard needed <= writer.available else { return needed }
                            encodeField(name: name, value: value, indexing: indexing, into: &writer)
                            return 0
                        }
                    }
                    guard needed == 0 else {
                        reservation = Swift.max(needed, Self.roundReservation)
                        return
                    }
                    index = headers.index(after: index)
                }
            }
        }
    }

    /// Writes the §6.3 size updates owed since the last block: the lowest size if the table
    /// went below what the peer knows, then the final size if that differs.
    mutating func announceTableSizeChange(into buffer: inout ByteBuffer) {
        if lowestMaxSize < announcedMaxSize {
            buffer.writeHPACKInteger(lowestMaxSize, prefixBits: 5, flags: 0x20)
            if table.maxSize != lowestMaxSize {
                buffer.writeHPACKInteger(table.maxSize, prefixBits: 5, flags: 0x20)
            }
        } else if table.maxSize != announcedMaxSize {
            buffer.writeHPACKInteger(table.maxSize, prefixBits: 5, flags: 0x20)
        }
        announcedMaxSize = table.maxSize
        lowestMaxSize = table.maxSize
    }
}
