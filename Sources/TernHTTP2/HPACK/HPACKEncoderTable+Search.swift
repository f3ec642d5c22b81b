/// The encoder's search of its dynamic table. Each chain links the entries whose hash falls in
/// it, newest first, so the first equal entry on a chain is the newest one (the lowest index,
/// as RFC 7541 leaves the choice to the encoder); bytes are compared only on a full hash hit.
extension HPACKEncoderTable {
    /// Position (0 = newest) of the newest entry holding exactly `name`/`value`, whose hashes
    /// are `nameHash` and `fieldHash`; nil if there is none.
    func position(
        ofName name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, nameHash: UInt32, fieldHash: UInt32
    ) -> Int? {
        guard count > 0 else { return nil }
        // Both arrays are borrowed once for the whole walk: no per-entry reference counting.
        return entries.withUnsafeBufferPointer { entries in
            bytes.withUnsafeBytes { bytes in
                let mask = entries.count &- 1
                var sequence = chainHeads[Self.chain(fieldHash, fields: true)]
                while sequence >= oldest {
                    let entry = entries[sequence & mask]
                    if entry.fieldHash == fieldHash, entry.nameHash == nameHash,
                       Int(entry.nameLength) == name.count, Int(entry.valueLength) == value.count {
                        let nameStart = entry.start &- base
                        let valueStart = nameStart &+ name.count
                        let valueEnd = valueStart &+ value.count
                        if HPACKBytes.equal(name, UnsafeRawBufferPointer(rebasing: bytes[nameStart..<valueStart])),
                           HPACKBytes.equal(value, UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd])) {
                            return next &- 1 &- sequence
                        }
                    }
                    sequence = entry.olderInFieldChain
                }
                return nil
            }
        }
    }

    /// Position (0 = newest) of the newest entry named `name`, whose hash is `nameHash`; nil if
    /// there is none.
    func position(ofName name: UnsafeRawBufferPointer, nameHash: UInt32) -> Int? {
        guard count > 0 else { return nil }
        return entries.withUnsafeBufferPointer { entries in
            bytes.withUnsafeBytes { bytes in
                let mask = entries.count &- 1
                var sequence = chainHeads[Self.chain(nameHash, fields: false)]
                while sequence >= oldest {
                    let entry = entries[sequence & mask]
                    if entry.nameHash == nameHash, Int(entry.nameLength) == name.count {
                        let nameStart = entry.start &- base
                        let nameEnd = nameStart &+ name.count
                        if HPACKBytes.equal(name, UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd])) {
                            return next &- 1 &- sequence
                        }
                    }
                    sequence = entry.olderInNameChain
                }
                return nil
            }
        }
    }
}
