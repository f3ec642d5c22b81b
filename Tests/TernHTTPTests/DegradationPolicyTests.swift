import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernCore
@testable import TernHTTP

/// `DegradationPerRoute` compiled on a route: triggers, fallbacks and errors with field paths.
@Suite struct DegradationPolicyTests {
    typealias Proto = Tern_Extensions_Filters_Http_Degradation_V3_DegradationPerRoute

    func compile(_ policy: Proto, clusters: Set<String> = ["a", "backup"]) throws -> DegradationPolicy? {
        var r = Envoy_Config_Route_V3_Route()
        r.match.prefix = "/"
        r.route.cluster = "a"
        r.typedPerFilterConfig = ["degrade": try Google_Protobuf_Any(message: policy)]
        var vh = Envoy_Config_Route_V3_VirtualHost()
        vh.name = "vh"
        vh.domains = ["*"]
        vh.routes = [r]
        var rc = Envoy_Config_Route_V3_RouteConfiguration()
        rc.virtualHosts = [vh]
        let context = CompileContext(stats: StatsStore(workers: 1), clusterNames: clusters)
        let config = try RouteConfigCompiler.compile(rc, path: "rc", context: context,
                                                     httpFilters: [DegradationFilterFactory.registration])
        return config.virtualHosts.first?.routes.first?.perFilterConfig["degrade"] as? DegradationPolicy
    }

    static let path = "rc.virtual_hosts[0].routes[0].typed_per_filter_config.degrade"

    @Test func emptyTriggersMeanAll() throws {
        var p = Proto()
        p.cluster = "backup"
        let policy = try #require(try compile(p))
        #expect(policy.onNoHealthyUpstream && policy.onCircuitOpen)
        guard case .cluster("backup") = policy.fallback else { Issue.record("fallback \(policy.fallback)"); return }
    }

    @Test func listedTriggersOnly() throws {
        var p = Proto()
        p.triggers = [.circuitOpen]
        p.directResponse.status = 503
        p.directResponse.body.inlineString = "later"
        let policy = try #require(try compile(p))
        #expect(!policy.onNoHealthyUpstream && policy.onCircuitOpen)
        guard case .directResponse(503, "later") = policy.fallback else { Issue.record("fallback \(policy.fallback)"); return }
    }

    @Test func undefinedFallbackClusterNamesItsPath() throws {
        var p = Proto()
        p.cluster = "nowhere"
        #expect { _ = try compile(p) } throws: { ($0 as? CompileError)?.path == Self.path + ".cluster" }
    }

    @Test func aFallbackIsRequired() throws {
        #expect { _ = try compile(Proto()) } throws: { ($0 as? CompileError)?.path == Self.path }
    }

    @Test func directResponseStatusIsChecked() throws {
        var p = Proto()
        p.directResponse.status = 99
        #expect { _ = try compile(p) } throws: { ($0 as? CompileError)?.path == Self.path + ".direct_response.status" }
    }
}
