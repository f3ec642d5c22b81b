import NIOCore
import Testing
@testable import TernNetwork

@Suite("Access log format strings")
struct AccessLogFormatTests {
    @Test func envoyDefaultFormatForHTTP() throws {
        let line = AccessLogFormat.envoyDefault.format(TestAccessLogRecord.http())
        #expect(line == "[2026-11-27T02:11:01.123Z] \"GET /api/v1?x=1 HTTP/1.1\" 200 - 10 20 42 15 \"1.2.3.4\" "
            + "\"curl/8.5.0\" \"abc-123\" \"example.com\" \"10.0.0.2:8080\"\n")
    }

    @Test func envoyDefaultFormatForTCP() throws {
        let r = TestAccessLogRecord()
        r.bytesReceived = 5
        r.bytesSent = 7
        r.upstreamHost = "127.0.0.1:9000"
        r.responseFlags = [.upstreamConnectionFailure, .noHealthyUpstream]
        let line = AccessLogFormat.envoyDefault.format(r)
        #expect(line == "[2026-11-27T02:11:01.123Z] \"- - -\" 0 UH,UF 5 7 42 - \"-\" \"-\" \"-\" \"-\" \"127.0.0.1:9000\"\n")
    }

    @Test func headerFallbackAndTruncation() throws {
        let r = TestAccessLogRecord.http()
        let format = try AccessLogFormat(text: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %REQ(USER-AGENT):4% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% %TRAILER(GRPC-STATUS)%")
        #expect(format.format(r) == "/api/v1?x=1 curl 15 -")
        r.requestHeaders["x-envoy-original-path"] = "/original"
        r.responseTrailers["grpc-status"] = "0"
        #expect(format.format(r) == "/original curl 15 0")
    }

    @Test func startTimeCustomFormats() throws {
        let r = TestAccessLogRecord()
        let cases: [(String, String)] = [
            ("%START_TIME(%s.%3f)%", "1795745461.123"),
            ("%START_TIME(%s.%6f)%", "1795745461.123456"),
            ("%START_TIME(%s.%9f)%", "1795745461.123456789"),
            ("%START_TIME(%s.%f)%", "1795745461.123456789"),
            ("%START_TIME(%Y/%m/%dT%H:%M:%S%z)%", "2026/11/27T02:11:01+0000"),
            ("%START_TIME(%F %T.%1f)%", "2026-11-27 02:11:01.1"),
            ("%START_TIME(%d/%b/%Y:%H:%M:%S %Z)%", "27/Nov/2026:02:11:01 UTC"),
            ("%START_TIME(%E3S|%E*S)%", "01.123|01.123456789"),
        ]
        for (text, expected) in cases {
            #expect(try AccessLogFormat(text: text).format(r) == expected, "\(text)")
        }
    }

    @Test func commandsOfTheBrief() throws {
        let r = TestAccessLogRecord.http()
        r.responseCodeDetails = "via_upstream"
        r.routeName = "default"
        r.responseDurationNanoseconds = 12_700_000
        r.upstreamTransportFailureReason = "connection refused"
        r.connectionTerminationDetails = "idle"
        r.upstreamLocalAddress = try SocketAddress(ipAddress: "10.0.0.1", port: 40000)
        r.downstreamRemoteAddress = try SocketAddress(ipAddress: "::1", port: 5555)
        r.downstreamLocalAddress = try SocketAddress(ipAddress: "127.0.0.1", port: 10000)
        let format = try AccessLogFormat(text: "%RESPONSE_CODE_DETAILS% %RESPONSE_DURATION% %UPSTREAM_CLUSTER% "
            + "%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% "
            + "%DOWNSTREAM_LOCAL_ADDRESS% %ROUTE_NAME% \"%UPSTREAM_TRANSPORT_FAILURE_REASON%\" "
            + "%CONNECTION_TERMINATION_DETAILS% 100%% %HOSTNAME%")
        #expect(format.format(r) == "via_upstream 12 backend 10.0.0.1:40000 [::1]:5555 ::1 127.0.0.1:10000 default "
            + "\"connection refused\" idle 100% \(AccessLogFormatParser.hostname)")
    }

    @Test func missingValuesPrintDashOrNothing() throws {
        let r = TestAccessLogRecord()
        r.requestHeaders["user-agent"] = ""
        let text = "%PROTOCOL%|%REQ(USER-AGENT)%|%RESPONSE_DURATION%|%UPSTREAM_LOCAL_ADDRESS%|%RESPONSE_FLAGS%"
        #expect(try AccessLogFormat(text: text).format(r) == "-|-|-|-|-")
        #expect(try AccessLogFormat(text: text, omitEmptyValues: true).format(r) == "||||")
    }

    @Test func requestedServerNamePrintsTheSNI() throws {
        let format = try AccessLogFormat(text: "%REQUESTED_SERVER_NAME%")
        let record = TestAccessLogRecord()
        #expect(format.format(record) == "-")
        record.requestedServerName = "api.example.com"
        #expect(format.format(record) == "api.example.com")
        #expect(format.unimplementedCommands.isEmpty)
    }

    @Test func unimplementedCommandsParseAndPrintDash() throws {
        let format = try AccessLogFormat(text: "%VIRTUAL_CLUSTER_NAME% %DYNAMIC_METADATA(istio.mixer:status)%")
        #expect(format.format(TestAccessLogRecord()) == "- -")
        #expect(format.unimplementedCommands == ["VIRTUAL_CLUSTER_NAME", "DYNAMIC_METADATA"])
    }

    @Test(arguments: ["%NOT_A_COMMAND%", "%REQ%", "%REQ()%", "abc %PROTOCOL", "%START_TIME(%s", "%lower%"])
    func malformedFormatsAreRejected(_ text: String) {
        #expect(throws: AccessLogError.self) { try AccessLogFormat(text: text) }
    }

    @Test func writesIntoAnExistingBuffer() throws {
        var buffer = ByteBuffer(string: "prefix ")
        AccessLogFormat.envoyDefault.write(TestAccessLogRecord.http(), into: &buffer)
        AccessLogFormat.envoyDefault.write(TestAccessLogRecord.http(), into: &buffer)
        let text = String(buffer: buffer)
        #expect(text.hasPrefix("prefix [2026-11-27T02:11:01.123Z]"))
        #expect(text.split(separator: "\n").count == 2)
    }
}
