import NIOCore
import NIOHPACK
import Testing
@testable import TernHTTP2

/// RFC 7541 Appendix C, decoded byte for byte, with the dynamic table checked after each block.
@Suite("HPACK RFC 7541 Appendix C examples")
struct HPACKRFCExampleTests {
    // MARK: - C.2 single representations, each on a fresh decoder

    @Test("C.2.1 literal with indexing")
    func literalWithIndexing() throws {
        var decoder = TernHPACKDecoder()
        let fields = try decoder.decodeFields("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")
        #expect(fields == [TestField(name: "custom-key", value: "custom-header")])
        #expect(decoder.dynamicTableSize == 55)
        #expect(decoder.tableEntries == ["custom-key: custom-header"])
    }

    @Test("C.2.2 literal without indexing")
    func literalWithoutIndexing() throws {
        var decoder = TernHPACKDecoder()
        let fields = try decoder.decodeFields("040c 2f73 616d 706c 652f 7061 7468")
        #expect(fields == [TestField(name: ":path", value: "/sample/path", indexing: .nonIndexable)])
        #expect(decoder.dynamicTableCount == 0)
    }

    @Test("C.2.3 literal never indexed")
    func literalNeverIndexed() throws {
        var decoder = TernHPACKDecoder()
        let fields = try decoder.decodeFields("1008 7061 7373 776f 7264 0673 6563 7265 74")
        #expect(fields == [TestField(name: "password", value: "secret", indexing: .neverIndexed)])
        #expect(decoder.dynamicTableCount == 0)
    }

    @Test("C.2.4 indexed field")
    func indexedField() throws {
        var decoder = TernHPACKDecoder()
        #expect(try decoder.decodeFields("82") == [TestField(name: ":method", value: "GET")])
        #expect(decoder.dynamicTableCount == 0)
    }

    // MARK: - C.3 and C.4 requests, one decoder per sequence

    static let request1 = [
        TestField(name: ":method", value: "GET"), TestField(name: ":scheme", value: "http"),
        TestField(name: ":path", value: "/"), TestField(name: ":authority", value: "www.example.com"),
    ]
    static let request2 = request1 + [TestField(name: "cache-control", value: "no-cache")]
    static let request3 = [
        TestField(name: ":method", value: "GET"), TestField(name: ":scheme", value: "https"),
        TestField(name: ":path", value: "/index.html"), TestField(name: ":authority", value: "www.example.com"),
        TestField(name: "custom-key", value: "custom-value"),
    ]
    /// The dynamic table after each request, newest first (sizes 57, 110, 164).
    static let requestTables = [
        [":authority: www.example.com"],
        ["cache-control: no-cache", ":authority: www.example.com"],
        ["custom-key: custom-value", "cache-control: no-cache", ":authority: www.example.com"],
    ]

    @Test("C.3 requests without Huffman coding")
    func requestsWithoutHuffman() throws {
        var decoder = TernHPACKDecoder()
        #expect(try decoder.decodeFields("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d") == Self.request1)
        #expect(decoder.dynamicTableSize == 57)
        #expect(decoder.tableEntries == Self.requestTables[0])
        #expect(try decoder.decodeFields("8286 84be 5808 6e6f 2d63 6163 6865") == Self.request2)
        #expect(decoder.dynamicTableSize == 110)
        #expect(decoder.tableEntries == Self.requestTables[1])
        #expect(try decoder.decodeFields(
            "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65") == Self.request3)
        #expect(decoder.dynamicTableSize == 164)
        #expect(decoder.tableEntries == Self.requestTables[2])
    }

    @Test("C.4 requests with Huffman coding")
    func requestsWithHuffman() throws {
        var decoder = TernHPACKDecoder()
        #expect(try decoder.decodeFields("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff") == Self.request1)
        #expect(decoder.dynamicTableSize == 57)
        #expect(decoder.tableEntries == Self.requestTables[0])
        #expect(try decoder.decodeFields("8286 84be 5886 a8eb 1064 9cbf") == Self.request2)
        #expect(decoder.dynamicTableSize == 110)
        #expect(decoder.tableEntries == Self.requestTables[1])
        #expect(try decoder.decodeFields(
            "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf") == Self.request3)
        #expect(decoder.dynamicTableSize == 164)
        #expect(decoder.tableEntries == Self.requestTables[2])
    }

    // MARK: - C.5 and C.6 responses, 256-octet table, with evictions

    static let date1 = "Mon, 21 Oct 2013 20:13:21 GMT"
    static let date2 = "Mon, 21 Oct 2013 20:13:22 GMT"
    static let cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
    static let response1 = [
        TestField(name: ":status", value: "302"), TestField(name: "cache-control", value: "private"),
        TestField(name: "date", value: date1), TestField(name: "location", value: "https://www.example.com"),
    ]
    static let response2 = [TestField(name: ":status", value: "307")] + response1.dropFirst()
    static let response3 = [
        TestField(name: ":status", value: "200"), TestField(name: "cache-control", value: "private"),
        TestField(name: "date", value: date2), TestField(name: "location", value: "https://www.example.com"),
        TestField(name: "content-encoding", value: "gzip"), TestField(name: "set-cookie", value: cookie),
    ]
    static let table1 = [
        "location: https://www.example.com", "date: \(date1)", "cache-control: private", ":status: 302",
    ]
    static let table2 = [
        ":status: 307", "location: https://www.example.com", "date: \(date1)", "cache-control: private",
    ]
    static let table3 = ["set-cookie: \(cookie)", "content-encoding: gzip", "date: \(date2)"]

    /// Decodes three response blocks on a decoder with a 256-octet table.
    private func checkResponses(_ blocks: [String]) throws {
        var decoder = TernHPACKDecoder(maxDynamicTableSize: 256)
        #expect(try decoder.decodeFields(blocks[0]) == Self.response1)
        #expect(decoder.dynamicTableSize == 222)
        #expect(decoder.tableEntries == Self.table1)
        #expect(try decoder.decodeFields(blocks[1]) == Self.response2)
        #expect(decoder.dynamicTableSize == 222)
        #expect(decoder.tableEntries == Self.table2)
        #expect(try decoder.decodeFields(blocks[2]) == Self.response3)
        #expect(decoder.dynamicTableSize == 215)
        #expect(decoder.tableEntries == Self.table3)
    }

    @Test("C.5 responses without Huffman coding")
    func responsesWithoutHuffman() throws {
        try checkResponses([
            """
            4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
            2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
            6c65 2e63 6f6d
            """,
            "4803 3330 37c1 c0bf",
            """
            88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
            54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
            5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
            3d31
            """,
        ])
    }

    @Test("C.6 responses with Huffman coding")
    func responsesWithHuffman() throws {
        try checkResponses([
            """
            4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
            2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3
            """,
            "4883 640e ffc1 c0bf",
            """
            88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
            77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
            9587 3160 65c0 03ed 4ee5 b106 3d50 07
            """,
        ])
    }

    @Test("C.4 is what the encoder produces for the same requests")
    func encoderReproducesHuffmanRequests() {
        var encoder = TernHPACKEncoder()
        let expected = [
            "828684418cf1e3c2e5f23a6ba0ab90f4ff",
            "828684be5886a8eb10649cbf",
            "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
        ]
        for (fields, hex) in zip([Self.request1, Self.request2, Self.request3], expected) {
            var buffer = ByteBuffer()
            encoder.encode(TestField.headers(fields), into: &buffer)
            #expect(hexString(buffer) == hex)
        }
        #expect(encoder.dynamicTableSize == 164)
    }
}
