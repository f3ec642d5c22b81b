import Testing
@testable import TernHTTP2

/// The encoder's static-table lookup, written out as a switch, against Appendix A as data.
@Suite("HPACK static table lookup")
struct HPACKStaticTableTests {
    /// What `match` must return, computed from `names` and `values` by a plain scan.
    private func expected(name: String, value: String) -> HPACKStaticTable.Match {
        let nameIndex = (HPACKStaticTable.names.firstIndex(of: name) ?? -1) + 1
        let exact = (0..<HPACKStaticTable.count).first {
            HPACKStaticTable.names[$0] == name && HPACKStaticTable.values[$0] == value
        }
        return HPACKStaticTable.Match(name: nameIndex, exact: (exact ?? -1) + 1)
    }

    private func match(name: String, value: String) -> HPACKStaticTable.Match {
        var name = name
        var value = value
        return name.withUTF8 { name in
            value.withUTF8 { value in
                HPACKStaticTable.match(name: UnsafeRawBufferPointer(name), value: UnsafeRawBufferPointer(value))
            }
        }
    }

    @Test("every entry is found, by name and exactly")
    func everyEntry() {
        for index in 0..<HPACKStaticTable.count {
            let name = HPACKStaticTable.names[index]
            let value = HPACKStaticTable.values[index]
            let found = match(name: name, value: value)
            #expect(found.name == expected(name: name, value: value).name, "\(name)")
            #expect(found.exact == expected(name: name, value: value).exact, "\(name): \(value)")
        }
    }

    @Test("other values match the name only", arguments: ["", "x", "GET ", "20", "2000", "gzip", "/index.htm", "https:"])
    func otherValues(value: String) {
        for name in Set(HPACKStaticTable.names) {
            let found = match(name: name, value: value)
            #expect(found.name == expected(name: name, value: value).name, "\(name)")
            #expect(found.exact == expected(name: name, value: value).exact, "\(name): \(value)")
        }
    }

    @Test("names outside the table match nothing", arguments: [
        "", "x", "ag", "agf", "date ", ":pat", ":paths", "Content-Type", "content-typf", "x-forwarded-for",
        "access-control-allow-origix", String(repeating: "a", count: 40),
    ])
    func otherNames(name: String) {
        let found = match(name: name, value: "")
        #expect(found.name == 0 && found.exact == 0, "\(name)")
    }
}
