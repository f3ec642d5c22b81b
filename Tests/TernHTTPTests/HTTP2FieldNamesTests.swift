import Testing

@testable import TernHTTP

@Suite("HTTP/2 field names")
struct HTTP2FieldNamesTests {
    @Test("the token masks accept exactly RFC 9110's tchar without upper-case letters")
    func tokenMasks() {
        let punctuation = Set("!#$%&'*+-.^_`|~".utf8)
        for byte in UInt8.min...UInt8.max {
            let expected = punctuation.contains(byte) || (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A)
            #expect(HTTP2FieldNames.isLowerTokenByte(byte) == expected, "byte \(byte)")
        }
    }

    @Test("regular fields: a lower-case token name, not connection-specific, a value without NUL, CR or LF")
    func regularFields() {
        #expect(HTTP2FieldNames.isValidRegularField("x-trace_id.v2", "a b\tc"))
        #expect(!HTTP2FieldNames.isValidRegularField("X-Upper", "v"))
        #expect(!HTTP2FieldNames.isValidRegularField("", "v"))
        #expect(!HTTP2FieldNames.isValidRegularField("bad name", "v"))
        #expect(!HTTP2FieldNames.isValidRegularField("connection", "close"))
        #expect(!HTTP2FieldNames.isValidRegularField("x", "a\r\nb"))
        #expect(!HTTP2FieldNames.isValidRegularField("x", "a\u{0}"))
    }
}
