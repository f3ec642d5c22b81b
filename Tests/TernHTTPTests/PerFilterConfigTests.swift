import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernCore
@testable import TernHTTP

/// `typed_per_filter_config` compiled through the filters' registrations.
@Suite struct PerFilterConfigTests {
    /// A filter whose per-route config is a `StringValue`, compiled to its text upper-cased (so the
    /// test sees the filter's compile step ran, not the raw proto).
    static let shouting = HTTPFilterRegistration(
        name: "test.shouting", configType: Google_Protobuf_Empty.self,
        perRouteConfigType: Google_Protobuf_StringValue.self,
        compilePerRoute: { any, _, _ in try Google_Protobuf_StringValue(unpackingAny: any).value.uppercased() },
        compile: { _, _ in RouterFilterFactory(suppressEnvoyHeaders: false) })

    func compile(vhost: [String: Google_Protobuf_Any] = [:], route: [String: Google_Protobuf_Any] = [:],
                 context: CompileContext? = nil) throws -> RouteEntry? {
        var r = Envoy_Config_Route_V3_Route()
        r.match.prefix = "/"
        r.directResponse.status = 200
        r.typedPerFilterConfig = route
        var vh = Envoy_Config_Route_V3_VirtualHost()
        vh.name = "vh"
        vh.domains = ["*"]
        vh.routes = [r]
        vh.typedPerFilterConfig = vhost
        var rc = Envoy_Config_Route_V3_RouteConfiguration()
        rc.virtualHosts = [vh]
        let ctx = context ?? CompileContext(stats: StatsStore(workers: 1), clusterNames: [])
        let config = try RouteConfigCompiler.compile(rc, path: "rc", context: ctx,
                                                     httpFilters: [RouterFilterFactory.registration, Self.shouting])
        return config.virtualHosts.first?.routes.first
    }

    func text(_ s: String) throws -> Google_Protobuf_Any {
        try Google_Protobuf_Any(message: Google_Protobuf_StringValue(s))
    }

    @Test func routeLevelWinsOverVirtualHostLevel() throws {
        let both = try compile(vhost: ["a": text("vhost"), "b": text("only vhost")], route: ["a": text("route")])
        #expect(both?.perFilterConfig["a"] as? String == "ROUTE")
        #expect(both?.perFilterConfig["b"] as? String == "ONLY VHOST")
        // Both levels stay available, most specific first, for filters that combine them.
        #expect(both?.perFilterConfigLevels["a"]?.compactMap { $0 as? String } == ["ROUTE", "VHOST"])
        #expect(both?.perFilterConfigLevels["b"] == nil)
    }

    @Test func filterConfigWrapperIsUnwrapped() throws {
        var wrapper = Envoy_Config_Route_V3_FilterConfig()
        wrapper.config = try text("wrapped")
        let entry = try compile(route: ["a": Google_Protobuf_Any(message: wrapper)])
        #expect(entry?.perFilterConfig["a"] as? String == "WRAPPED")
    }

    @Test func unknownTypeIsAnErrorNamingThePath() throws {
        #expect {
            _ = try compile(route: ["x": Google_Protobuf_Any(message: Google_Protobuf_Int32Value(1))])
        } throws: { error in
            (error as? CompileError)?.path == "rc.virtual_hosts[0].routes[0].typed_per_filter_config.x"
        }
    }

    @Test func optionalUnknownTypeIsSkippedWithAWarning() throws {
        var wrapper = Envoy_Config_Route_V3_FilterConfig()
        wrapper.config = try Google_Protobuf_Any(message: Google_Protobuf_Int32Value(1))
        wrapper.isOptional = true
        let ctx = CompileContext(stats: StatsStore(workers: 1), clusterNames: [])
        let entry = try compile(vhost: ["x": Google_Protobuf_Any(message: wrapper)], context: ctx)
        #expect(entry?.perFilterConfig.isEmpty == true)
        #expect(ctx.warnings.map(\.path) == ["rc.virtual_hosts[0].typed_per_filter_config.x"])
    }

    @Test func filterWithoutPerRouteConfigRefusesOne() throws {
        #expect {
            _ = try compile(route: ["r": Google_Protobuf_Any(message: Envoy_Extensions_Filters_Http_Router_V3_Router())])
        } throws: { error in
            (error as? CompileError)?.message.contains("envoy.filters.http.router") == true
        }
    }
}
