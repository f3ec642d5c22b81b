import NIOCore
import SwiftProtobuf
import Testing
@testable import TernNetwork

@Suite("Access log json_format")
struct AccessLogJSONFormatTests {
    private func format(_ fields: [String: Google_Protobuf_Value], omitEmpty: Bool = false) throws -> AccessLogFormat {
        var unimplemented: [String] = []
        let node = try AccessLogJSONNode.compile(Google_Protobuf_Struct(fields: fields), unimplemented: &unimplemented)
        return AccessLogFormat(json: node, omitEmptyValues: omitEmpty, unimplementedCommands: unimplemented)
    }

    @Test func typedValuesNestingAndEscaping() throws {
        let r = TestAccessLogRecord.http()
        r.requestHeaders["user-agent"] = "say \"hi\"\n"
        let f = try format([
            "start": Google_Protobuf_Value(stringValue: "%START_TIME%"),
            "code": Google_Protobuf_Value(stringValue: "%RESPONSE_CODE%"),
            "ua": Google_Protobuf_Value(stringValue: "%REQ(USER-AGENT)%"),
            "route": Google_Protobuf_Value(stringValue: "%ROUTE_NAME%"),
            "mixed": Google_Protobuf_Value(stringValue: "sent=%BYTES_SENT% route=%ROUTE_NAME%"),
            "nested": Google_Protobuf_Value(structValue: Google_Protobuf_Struct(fields: [
                "proto": Google_Protobuf_Value(stringValue: "%PROTOCOL%"),
            ])),
            "constant": Google_Protobuf_Value(numberValue: 5),
            "flag": Google_Protobuf_Value(boolValue: true),
            "text": Google_Protobuf_Value(stringValue: "plain"),
        ])
        #expect(f.format(r) == #"{"code":200,"constant":5,"flag":true,"mixed":"sent=20 route=-","nested":{"proto":"HTTP/1.1"},"#
            + #""route":null,"start":"2026-11-27T02:11:01.123Z","text":"plain","ua":"say \"hi\"\n"}"# + "\n")
    }

    @Test func omitEmptyValuesDropsKeys() throws {
        let f = try format([
            "a": Google_Protobuf_Value(stringValue: "%ROUTE_NAME%"),
            "b": Google_Protobuf_Value(stringValue: "%BYTES_SENT%"),
            "c": Google_Protobuf_Value(stringValue: "%PROTOCOL%"),
        ], omitEmpty: true)
        #expect(f.format(TestAccessLogRecord()) == #"{"b":0}"# + "\n")
    }

    @Test func listsAreRejected() {
        #expect(throws: AccessLogError.self) {
            try format(["a": Google_Protobuf_Value(listValue: Google_Protobuf_ListValue(values: []))])
        }
    }
}
