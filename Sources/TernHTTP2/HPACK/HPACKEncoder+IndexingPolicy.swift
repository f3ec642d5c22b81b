/// Which indexable fields the encoder adds to its dynamic table. Every insertion evicts older
/// entries, so a value that will not be sent again only pushes out one that would have been.
extension HPACKEncoder {
    /// Whether to add `name`/`value` to the dynamic table. Deliberately a short, fixed list of
    /// names whose values differ on nearly every message, plus a size cap; anything else is
    /// indexed, since repeats (authority, user-agent, cookies, gRPC paths) are the common case.
    func shouldIndex(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
        // An entry over half the table would evict most of it for one field (and one over the
        // whole table would empty it, §4.4).
        guard name.count + value.count + HPACKDynamicTable.entryOverhead <= table.maxSize / 2 else { return false }
        switch name.count {
        case 4:
            return !HPACKBytes.equal(name, "date")
        case 5:
            // gRPC and most APIs repeat paths, so `:path` is indexed, but a query string
            // usually makes it unique.
            return !(HPACKBytes.equal(name, ":path") && value.contains(UInt8(ascii: "?")))
        case 11:
            // W3C trace context and B3 span ids: new for every request.
            return !HPACKBytes.equal(name, "traceparent") && !HPACKBytes.equal(name, "x-b3-spanid")
        case 12:
            return !HPACKBytes.equal(name, "x-request-id") && !HPACKBytes.equal(name, "x-b3-traceid")
        case 14:
            return !HPACKBytes.equal(name, "content-length")
        case 17:
            return !HPACKBytes.equal(name, "x-b3-parentspanid")
        default:
            return true
        }
    }
}
