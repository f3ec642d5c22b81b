import Testing
import TernConfig

@Suite struct JSONTreeParserTests {
    @Test func parsesAllKinds() throws {
        let value = try JSONTreeParser.parse(#"{"a":[1,-0,2.5e1,true,false,null],"b":"x\u00e9\n\"\ud83d\ude00","c":{}}"#)
        #expect(value == .object([
            ConfigMember("a", .array([
                .number(.integer("1")), .number(.integer("0")), .number(.float(25)),
                .bool(true), .bool(false), .null,
            ])),
            ConfigMember("b", .string("xé\n\"😀")),
            ConfigMember("c", .object([])),
        ]))
    }

    @Test func keepsLargeIntegersExact() throws {
        #expect(try JSONTreeParser.parse("18446744073709551615") == .number(.integer("18446744073709551615")))
    }

    @Test(arguments: ["{", "[1,]", "{\"a\" 1}", "01", "\"\u{01}\"", "tru", "{} {}", "\"\\x\""])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: ConfigError.self) { try JSONTreeParser.parse(text) }
    }

    @Test func duplicateKeysNameTheirPath() {
        let error = #expect(throws: ConfigError.self) { try JSONTreeParser.parse(#"{"a":{"b":1,"b":2}}"#) }
        #expect(error?.path == "a.b")
    }

    @Test func syntaxErrorsGiveLineAndColumn() {
        let error = #expect(throws: ConfigError.self) { try JSONTreeParser.parse("{\n  \"a\": 1,\n  x\n}") }
        #expect(error?.message.contains("line 3, column 3") == true)
    }

    @Test func jsonTextRoundTrips() throws {
        let text = #"{"a":[1,2.5,"Infinity",true,null],"b":"q\"\\\u0001"}"#
        let value = try JSONTreeParser.parse(text)
        #expect(try JSONTreeParser.parse(value.jsonText) == value)
    }
}
