/// The encoder's search of the static table by bytes. Names are bucketed by length and checked by
/// first and last byte before a full compare, so a field costs one array read and about one
/// comparison, not a scan of 61 strings.
extension HPACKStaticTable {
    /// The best static match for a field: `exact` is the index holding both name and value,
    /// `name` the first index holding the name; 0 where there is none.
    struct Match {
        var name: Int
        var exact: Int
    }

    /// The UTF-8 of each name and value, for byte comparisons (index `i - 1` as above).
    private static let nameBytes: [[UInt8]] = names.map { Array($0.utf8) }
    private static let valueBytes: [[UInt8]] = values.map { Array($0.utf8) }

    /// For each name length, the first static index of every distinct name of that length.
    private static let indicesByNameLength: [[Int]] = {
        var buckets = [[Int]](repeating: [], count: 1 + nameBytes.map(\.count).max()!)
        for index in 1...count where index == 1 || names[index - 1] != names[index - 2] {
            buckets[nameBytes[index - 1].count].append(index)
        }
        return buckets
    }()

    /// For each index, how many entries from it on share its name (entries with one name are
    /// contiguous in Appendix A, e.g. `:status` 8–14).
    private static let runLengths: [Int] = (1...count).map { start in
        var end = start
        while end < count && names[end] == names[start - 1] {
            end += 1
        }
        return end - start + 1
    }

    /// Finds `name`/`value` in the static table.
    static func match(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Match {
        guard name.count > 0, name.count < indicesByNameLength.count else { return Match(name: 0, exact: 0) }
        let first = name[0]
        let last = name[name.count - 1]
        for index in indicesByNameLength[name.count] {
            let candidate = nameBytes[index - 1]
            guard candidate[0] == first, candidate[candidate.count - 1] == last else { continue }
            let same = candidate.withUnsafeBytes { HPACKBytes.equal(name, $0) }
            guard same else { continue }
            for exact in index..<(index + runLengths[index - 1]) {
                if valueBytes[exact - 1].withUnsafeBytes({ HPACKBytes.equal(value, $0) }) {
                    return Match(name: index, exact: exact)
                }
            }
            return Match(name: index, exact: 0)
        }
        return Match(name: 0, exact: 0)
    }
}
