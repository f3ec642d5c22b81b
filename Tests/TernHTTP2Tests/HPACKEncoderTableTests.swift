import Testing
@testable import TernHTTP2

/// The encoder's byte table and its hash chains, against the decoder's String table as a model:
/// both must hold the same entries after the same insertions, evictions and size changes.
@Suite("HPACK encoder table")
struct HPACKEncoderTableTests {
    private static let names = [":path", "x-a", "x-b", "content-type", "cookie", "user-agent", ""]
    private static let values = ["", "1", "/", "application/octet-stream", "a-value-of-sixteen", "é✓"]

    @Test("random insertions and size changes keep both tables and every lookup in step", arguments: [1, 2, 3])
    func againstModel(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var table = HPACKEncoderTable(maxSize: 4096)
        var model = HPACKDynamicTable(maxSize: 4096)
        for step in 0..<3000 {
            if Int.random(in: 0..<60, using: &random) == 0 {
                let size = [0, 64, 300, 1000, 4096].randomElement(using: &random)!
                table.setMaxSize(size)
                model.setMaxSize(size)
            }
            let name = Self.names.randomElement(using: &random)!
            let value = Bool.random(using: &random)
                ? Self.values.randomElement(using: &random)!
                : String(repeating: "v", count: Int.random(in: 0...300, using: &random))
            Self.withField(name, value) { table.insert(name: $0, value: $1, nameHash: $2, fieldHash: $3) }
            model.insert(name: name, value: value)
            if step % 7 == 0 {
                expectSame(table, model)
            }
        }
        expectSame(table, model)
    }

    @Test("byte comparison at every length and every differing position")
    func equalBytes() {
        for count in 0...24 {
            let a = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 1) }
            a.withUnsafeBytes { a in
                #expect(HPACKBytes.equal(a, a))
                for position in 0..<count {
                    var b = Array(a)
                    b[position] ^= 0x40
                    b.withUnsafeBytes { #expect(!HPACKBytes.equal(a, $0), "length \(count), byte \(position)") }
                }
                let longer = Array(a) + [0]
                longer.withUnsafeBytes { #expect(!HPACKBytes.equal(a, $0)) }
            }
        }
    }

    // MARK: - Helpers

    /// Checks sizes, every entry's bytes, and that both searches find the newest equal entry.
    private func expectSame(_ table: HPACKEncoderTable, _ model: HPACKDynamicTable) {
        #expect(table.count == model.count)
        #expect(table.size == model.size)
        guard table.count == model.count else { return }
        for position in 0..<model.count {
            let entry = model.entry(at: position)
            let stored = Self.field(table, at: position)
            #expect(stored.name == entry.name && stored.value == entry.value, "position \(position)")
            let newestField = (0..<model.count).first {
                model.entry(at: $0).name == entry.name && model.entry(at: $0).value == entry.value
            }
            let newestName = (0..<model.count).first { model.entry(at: $0).name == entry.name }
            Self.withField(entry.name, entry.value) { name, value, nameHash, fieldHash in
                #expect(table.position(ofName: name, value: value, nameHash: nameHash, fieldHash: fieldHash) == newestField)
                #expect(table.position(ofName: name, nameHash: nameHash) == newestName)
            }
        }
        Self.withField("x-absent", "1") { name, value, nameHash, fieldHash in
            #expect(table.position(ofName: name, value: value, nameHash: nameHash, fieldHash: fieldHash) == nil)
            #expect(table.position(ofName: name, nameHash: nameHash) == nil)
        }
    }

    /// Calls `body` with a field's bytes and the hashes the encoder computes for it.
    private static func withField(
        _ name: String, _ value: String,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UInt32, UInt32) -> Void
    ) {
        HPACKBytes.withUTF8(name) { name in
            HPACKBytes.withUTF8(value) { value in
                let nameHash = HPACKBytes.hash(name)
                body(name, value, nameHash, HPACKBytes.hash(value, seed: nameHash ^ 0xFF))
            }
        }
    }

    /// The encoder table's entry at `position`, read back from its storage.
    private static func field(_ table: HPACKEncoderTable, at position: Int) -> (name: String, value: String) {
        let entry = table.entries[(table.next - 1 - position) & (table.entries.count - 1)]
        let nameStart = entry.start - table.base
        let valueStart = nameStart + Int(entry.nameLength)
        return (
            String(decoding: table.bytes[nameStart..<valueStart], as: UTF8.self),
            String(decoding: table.bytes[valueStart..<(valueStart + Int(entry.valueLength))], as: UTF8.self)
        )
    }
}
