/// The encoder's search of its dynamic table. Entries are compared by hash first and by bytes
/// only on a hash hit, newest first, since recent fields are the likeliest to repeat.
extension HPACKDynamicTable {
    /// Positions (0 = newest) of the first entry equal to the whole field and of the first entry
    /// with the field's name; nil where there is none.
    struct Match {
        var exact: Int?
        var name: Int?
    }

    /// Searches for `name`/`value`, whose hashes are `nameHash` and `fieldHash`. With
    /// `wantsExact` false only the name is looked for (the field will be sent as a literal).
    func search(
        name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
        nameHash: UInt32, fieldHash: UInt32, wantsExact: Bool
    ) -> Match {
        var match = Match()
        for position in 0..<count {
            // Read through the slot rather than copying the entry, so a miss touches no String.
            let slot = slot(at: position)
            guard slots[slot].nameHash == nameHash else { continue }
            let candidate = slots[slot]
            let sameName = HPACKBytes.withUTF8(candidate.name) { HPACKBytes.equal(name, $0) }
            guard sameName else { continue }
            if match.name == nil {
                match.name = position
                if !wantsExact { return match }
            }
            if candidate.fieldHash == fieldHash,
               HPACKBytes.withUTF8(candidate.value, { HPACKBytes.equal(value, $0) }) {
                match.exact = position
                return match
            }
        }
        return match
    }
}
