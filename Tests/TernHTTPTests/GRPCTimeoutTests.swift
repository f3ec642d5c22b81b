import NIOHTTP1
import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernCore
@testable import TernHTTP

@Suite struct GRPCTimeoutTests {
    @Test("grpc-timeout parses to whole milliseconds, rounding sub-millisecond units up", arguments: [
        ("1H", 3_600_000), ("2M", 120_000), ("3S", 3000), ("250m", 250), ("1500u", 2), ("1000u", 1),
        ("1n", 1), ("2000000n", 2), ("0m", 0), ("99999998S", 99_999_998_000),
    ] as [(String, Int64)])
    func parses(_ header: String, _ ms: Int64) {
        #expect(GRPCTimeout.milliseconds(header) == ms)
    }

    @Test("malformed grpc-timeout is ignored", arguments: ["", "m", "10", "10x", "-5m", "1.5S", "99999999m", "123456789S"])
    func malformed(_ header: String) {
        #expect(GRPCTimeout.milliseconds(header) == nil)
    }

    @Test("written as Envoy's toGrpcTimeout", arguments: [
        (0, "0m"), (250, "250m"), (99_999_999, "99999999m"), (100_000_000, "100000S"),
        (99_999_999_999, "99999999S"), (100_000_000_000, "1666666M"), (Int64.max / 2, "99999999H"),
    ] as [(Int64, String)])
    func writes(_ ms: Int64, _ header: String) {
        #expect(GRPCTimeout.headerValue(milliseconds: ms) == header)
    }

    // MARK: - route policies

    func forward(_ routeFields: String) throws -> (ForwardAction, CompileContext) {
        let json = """
        {"virtual_hosts": [{"name": "v", "domains": ["*"], "routes": [
          {"match": {"prefix": "/"}, "route": {"cluster": "a"\(routeFields.isEmpty ? "" : ", " + routeFields)}}
        ]}]}
        """
        let proto = try Envoy_Config_Route_V3_RouteConfiguration(jsonString: json)
        let context = CompileContext(stats: StatsStore(workers: 1), clusterNames: ["a"])
        let rc = try RouteConfigCompiler.compile(proto, path: "rc", context: context)
        guard case .forward(let f) = rc.virtualHosts[0].routes[0].action else { throw CompileError("", "not a forward") }
        return (f, context)
    }

    func headers(_ timeout: String?) -> HTTPHeaders {
        var h: HTTPHeaders = ["content-type": "application/grpc"]
        if let timeout { h.add(name: "grpc-timeout", value: timeout) }
        return h
    }

    @Test func noFieldsNoPolicy() throws {
        let (f, _) = try forward(#""timeout": "2s""#)
        #expect(f.grpcTimeout == nil)
        #expect(f.timeout == .seconds(2))
    }

    @Test("max_stream_duration: grpc-timeout capped by the max, less the offset; the route timeout is off")
    func streamDuration() throws {
        let (f, _) = try forward(#""timeout": "2s", "max_stream_duration": {"grpc_timeout_header_max": "0.4s", "grpc_timeout_header_offset": "0.1s"}"#)
        #expect(f.timeout == nil, "a route with max_stream_duration has no route timeout (Envoy's new timeouts)")
        let d = try #require(f.grpcTimeout?.streamDuration)
        #expect(d.limit(headers("5S")) == 300)
        #expect(d.limit(headers("250m")) == 150)
        #expect(d.limit(headers("50m")) == 0, "an offset at or past the header expires at once")
        #expect(d.limit(headers(nil)) == nil, "no header and no max_stream_duration: no limit")
    }

    @Test func streamDurationWithoutHeaderCapUsesMaxStreamDuration() throws {
        let (f, _) = try forward(#""max_stream_duration": {"max_stream_duration": "3s"}"#)
        let d = try #require(f.grpcTimeout?.streamDuration)
        #expect(d.limit(headers("1S")) == 3000, "without grpc_timeout_header_max the header is not used")
        #expect(d.limit(headers(nil)) == 3000)
        let (zero, _) = try forward(#""max_stream_duration": {"max_stream_duration": "0s"}"#)
        #expect(zero.grpcTimeout?.streamDuration?.limit(headers(nil)) == nil, "0 disables")
        let (uncapped, _) = try forward(#""max_stream_duration": {"grpc_timeout_header_max": "0s", "max_stream_duration": "1s"}"#)
        #expect(uncapped.grpcTimeout?.streamDuration?.limit(headers("1H")) == 3_600_000, "a 0 max uses the header as is")
        #expect(uncapped.grpcTimeout?.streamDuration?.limit(headers(nil)) == 1000)
    }

    @Test("deprecated max_grpc_timeout: the offset never reaches 0; 0 is no cap")
    func headerRouteTimeout() throws {
        let (f, _) = try forward(#""max_grpc_timeout": "0.4s", "grpc_timeout_offset": "0.1s""#)
        let t = try #require(f.grpcTimeout?.headerRouteTimeout)
        #expect(t.routeTimeout(headers("5S")) == 400)
        #expect(t.routeTimeout(headers("300m")) == 200)
        #expect(t.routeTimeout(headers("100m")) == 100, "offset not below the header: not applied")
        #expect(t.routeTimeout(headers(nil)) == 400, "no header: the maximum")
        let (uncapped, _) = try forward(#""max_grpc_timeout": "0s""#)
        #expect(uncapped.grpcTimeout?.headerRouteTimeout?.routeTimeout(headers(nil)) == 0, "0 and no header: no timeout")
        #expect(uncapped.grpcTimeout?.headerRouteTimeout?.routeTimeout(headers("7S")) == 7000)
    }

    @Test func deprecatedFieldsBesideMaxStreamDurationWarn() throws {
        let (f, context) = try forward(#""max_grpc_timeout": "1s", "max_stream_duration": {"max_stream_duration": "2s"}"#)
        #expect(f.grpcTimeout?.headerRouteTimeout == nil)
        #expect(context.warnings.map(\.path) == ["rc.virtual_hosts[0].routes[0].route.max_grpc_timeout"])
        let (_, lone) = try forward(#""grpc_timeout_offset": "1s""#)
        #expect(lone.warnings.map(\.path) == ["rc.virtual_hosts[0].routes[0].route.grpc_timeout_offset"])
    }

    @Test func negativeDurationIsAnError() throws {
        #expect(throws: CompileError.self) { try forward(#""max_stream_duration": {"grpc_timeout_header_max": "-1s"}"#) }
    }
}
