import NIOHTTP1

extension HTTPHeaders {
    /// `add(name:value:)` for a field whose name is a literal in Tern's source. NIO's `add`
    /// checks every byte of the name is ASCII, at about 35 instructions a byte (a thousand for
    /// `x-envoy-upstream-service-time`); appending a one-field block skips the check, for the
    /// price of that block's small array.
    mutating func add(literalName name: String, value: String) {
        assert(name.utf8.allSatisfy { $0 < 0x80 }, "header names Tern spells are ASCII")
        add(contentsOf: HTTPHeaders([(name, value)]))
    }

    /// `replaceOrAdd(name:value:)` for a literal name, which usually is not there yet.
    mutating func replaceOrAdd(literalName name: String, value: String) {
        if contains(name: name) {
            replaceOrAdd(name: name, value: value)
        } else {
            add(literalName: name, value: value)
        }
    }
}
