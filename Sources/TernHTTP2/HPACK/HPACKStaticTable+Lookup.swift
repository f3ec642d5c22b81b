/// The encoder's search of the static table by bytes, written out as code: a switch on the
/// name's length, then a few comparisons with literals. Nothing is loaded from an array, so a
/// field costs no reference counting and no lazy-global check, only a handful of compares.
/// `HPACKStaticTableTests` checks this against `names` and `values`, entry by entry.
extension HPACKStaticTable {
    /// The best static match for a field: `exact` is the index holding both name and value,
    /// `name` the first index holding the name; 0 where there is none.
    struct Match {
        var name: Int
        var exact: Int
    }

    /// Finds `name`/`value` in the static table.
    static func match(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Match {
        let nameIndex = firstIndex(ofName: name)
        guard nameIndex != 0 else { return Match(name: 0, exact: 0) }
        return Match(name: nameIndex, exact: exactIndex(nameIndex: nameIndex, value: value))
    }

    /// The index of the field with name index `nameIndex` and `value`, or 0. Entries with one
    /// name are contiguous in Appendix A (e.g. `:status` 8–14); only five names have values.
    private static func exactIndex(nameIndex: Int, value: UnsafeRawBufferPointer) -> Int {
        switch nameIndex {
        case 2:
            if HPACKBytes.equal(value, "GET") { return 2 }
            if HPACKBytes.equal(value, "POST") { return 3 }
        case 4:
            if HPACKBytes.equal(value, "/") { return 4 }
            if HPACKBytes.equal(value, "/index.html") { return 5 }
        case 6:
            if HPACKBytes.equal(value, "http") { return 6 }
            if HPACKBytes.equal(value, "https") { return 7 }
        case 8:
            guard value.count == 3 else { return 0 }
            if HPACKBytes.equal(value, "200") { return 8 }
            if HPACKBytes.equal(value, "204") { return 9 }
            if HPACKBytes.equal(value, "206") { return 10 }
            if HPACKBytes.equal(value, "304") { return 11 }
            if HPACKBytes.equal(value, "400") { return 12 }
            if HPACKBytes.equal(value, "404") { return 13 }
            if HPACKBytes.equal(value, "500") { return 14 }
        case 16:
            if HPACKBytes.equal(value, "gzip, deflate") { return 16 }
        default:
            // Every other entry has an empty value.
            return value.isEmpty ? nameIndex : 0
        }
        return 0
    }

    /// The first index whose name is `name`, or 0.
    private static func firstIndex(ofName name: UnsafeRawBufferPointer) -> Int {
        switch name.count {
        case 3:
            if HPACKBytes.equal(name, "age") { return 21 }
            if HPACKBytes.equal(name, "via") { return 60 }
        case 4:
            if HPACKBytes.equal(name, "date") { return 33 }
            if HPACKBytes.equal(name, "etag") { return 34 }
            if HPACKBytes.equal(name, "from") { return 37 }
            if HPACKBytes.equal(name, "host") { return 38 }
            if HPACKBytes.equal(name, "link") { return 45 }
            if HPACKBytes.equal(name, "vary") { return 59 }
        case 5:
            if HPACKBytes.equal(name, ":path") { return 4 }
            if HPACKBytes.equal(name, "allow") { return 22 }
            if HPACKBytes.equal(name, "range") { return 50 }
        case 6:
            if HPACKBytes.equal(name, "accept") { return 19 }
            if HPACKBytes.equal(name, "cookie") { return 32 }
            if HPACKBytes.equal(name, "expect") { return 35 }
            if HPACKBytes.equal(name, "server") { return 54 }
        case 7:
            if HPACKBytes.equal(name, ":method") { return 2 }
            if HPACKBytes.equal(name, ":scheme") { return 6 }
            if HPACKBytes.equal(name, ":status") { return 8 }
            if HPACKBytes.equal(name, "expires") { return 36 }
            if HPACKBytes.equal(name, "referer") { return 51 }
            if HPACKBytes.equal(name, "refresh") { return 52 }
        case 8:
            if HPACKBytes.equal(name, "if-match") { return 39 }
            if HPACKBytes.equal(name, "if-range") { return 42 }
            if HPACKBytes.equal(name, "location") { return 46 }
        case 10:
            if HPACKBytes.equal(name, ":authority") { return 1 }
            if HPACKBytes.equal(name, "set-cookie") { return 55 }
            if HPACKBytes.equal(name, "user-agent") { return 58 }
        case 11:
            if HPACKBytes.equal(name, "retry-after") { return 53 }
        case 12:
            if HPACKBytes.equal(name, "content-type") { return 31 }
            if HPACKBytes.equal(name, "max-forwards") { return 47 }
        case 13:
            if HPACKBytes.equal(name, "accept-ranges") { return 18 }
            if HPACKBytes.equal(name, "authorization") { return 23 }
            if HPACKBytes.equal(name, "cache-control") { return 24 }
            if HPACKBytes.equal(name, "content-range") { return 30 }
            if HPACKBytes.equal(name, "if-none-match") { return 41 }
            if HPACKBytes.equal(name, "last-modified") { return 44 }
        case 14:
            if HPACKBytes.equal(name, "accept-charset") { return 15 }
            if HPACKBytes.equal(name, "content-length") { return 28 }
        case 15:
            if HPACKBytes.equal(name, "accept-encoding") { return 16 }
            if HPACKBytes.equal(name, "accept-language") { return 17 }
        case 16:
            if HPACKBytes.equal(name, "content-encoding") { return 26 }
            if HPACKBytes.equal(name, "content-language") { return 27 }
            if HPACKBytes.equal(name, "content-location") { return 29 }
            if HPACKBytes.equal(name, "www-authenticate") { return 61 }
        case 17:
            if HPACKBytes.equal(name, "if-modified-since") { return 40 }
            if HPACKBytes.equal(name, "transfer-encoding") { return 57 }
        case 18:
            if HPACKBytes.equal(name, "proxy-authenticate") { return 48 }
        case 19:
            if HPACKBytes.equal(name, "content-disposition") { return 25 }
            if HPACKBytes.equal(name, "if-unmodified-since") { return 43 }
            if HPACKBytes.equal(name, "proxy-authorization") { return 49 }
        case 25:
            if HPACKBytes.equal(name, "strict-transport-security") { return 56 }
        case 27:
            if HPACKBytes.equal(name, "access-control-allow-origin") { return 20 }
        default:
            break
        }
        return 0
    }
}
