import NIOCore
import SwiftProtobuf
import TernConfig
import TernCore
import Testing
@testable import TernNetwork

@Suite("tcp_proxy config")
struct TCPProxyConfigTests {
    typealias Proto = Envoy_Extensions_Filters_Network_TcpProxy_V3_TcpProxy
    let path = "listeners[0].filter_chains[0].filters[0].typed_config"

    private func compile(_ edit: (inout Proto) -> Void, clusters: Set<String> = ["a", "b"]) throws -> (TCPProxyConfig, CompileContext) {
        var proto = Proto()
        proto.statPrefix = "ingress"
        proto.cluster = "a"
        edit(&proto)
        let ctx = CompileContext(stats: StatsStore(workers: 1), clusterNames: clusters)
        return (try TCPProxyConfig(proto: proto, path: path, context: ctx), ctx)
    }

    @Test func registrationNamesTheFilter() throws {
        let registration = TCPProxyFilterFactory.registration
        #expect(registration.name == "envoy.filters.network.tcp_proxy")
        #expect(registration.typeURL == "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy")
        var proto = Proto()
        proto.statPrefix = "x"
        proto.cluster = "a"
        let ctx = CompileContext(stats: StatsStore(workers: 1), clusterNames: ["a"])
        let factory = try registration.compile(try Google_Protobuf_Any(message: proto), path, ctx)
        #expect((factory as? TCPProxyFilterFactory)?.config.statPrefix == "x")
        let wrong = try Google_Protobuf_Any(message: Google_Protobuf_Duration(seconds: 1))
        #expect(throws: CompileError.self) { try registration.compile(wrong, path, ctx) }
    }

    @Test func defaults() throws {
        let (config, ctx) = try compile { _ in }
        #expect(config.idleTimeout == .hours(1))
        #expect(config.maxConnectAttempts == 1)
        #expect(config.maxDownstreamConnectionDuration == nil)
        #expect(config.accessLogs.isEmpty)
        #expect(config.pickCluster() == "a")
        #expect(ctx.warnings.isEmpty)
        #expect(config.stats.downstreamCxTotal.name.flat == "tcp.ingress.downstream_cx_total")
        #expect(config.stats.downstreamCxTotal.name.prometheusName == "envoy_tcp_downstream_cx_total")
        #expect(config.stats.downstreamCxTotal.name.tags == [StatTag("envoy_tcp_prefix", "ingress")])
    }

    @Test func timeoutsAndAttempts() throws {
        let (config, _) = try compile {
            $0.idleTimeout = Google_Protobuf_Duration(seconds: 0)
            $0.maxConnectAttempts = Google_Protobuf_UInt32Value(3)
            $0.maxDownstreamConnectionDuration = Google_Protobuf_Duration(seconds: 30)
        }
        #expect(config.idleTimeout == nil)
        #expect(config.maxConnectAttempts == 3)
        #expect(config.maxDownstreamConnectionDuration == .seconds(30))
    }

    @Test func validationErrorsNameThePath() throws {
        func error(_ edit: (inout Proto) -> Void) -> CompileError? {
            #expect(throws: CompileError.self) { try compile(edit) }
        }
        #expect(error { $0.statPrefix = "" }?.path == "\(path).stat_prefix")
        #expect(error { $0.clusterSpecifier = nil }?.path == path)
        let unknown = error { $0.cluster = "x" }
        #expect(unknown?.description == "\(path).cluster: unknown cluster 'x'")
        let weighted = error {
            $0.weightedClusters.clusters = [.with { $0.name = "a"; $0.weight = 1 }, .with { $0.name = "y"; $0.weight = 1 }]
        }
        #expect(weighted?.description == "\(path).weighted_clusters.clusters[1].name: unknown cluster 'y'")
        #expect(error { $0.weightedClusters.clusters = [.with { $0.name = "a"; $0.weight = 0 }] }?.path
            == "\(path).weighted_clusters.clusters[0].weight")
        #expect(error { $0.weightedClusters = .init() }?.path == "\(path).weighted_clusters.clusters")
        #expect(error { $0.maxConnectAttempts = Google_Protobuf_UInt32Value(0) }?.path == "\(path).max_connect_attempts")
    }

    @Test func unsupportedFieldsWarn() throws {
        let (_, ctx) = try compile {
            $0.tunnelingConfig.hostname = "example.com:443"
            $0.metadataMatch = .init()
            $0.downstreamIdleTimeout = Google_Protobuf_Duration(seconds: 1)
        }
        #expect(Set(ctx.warnings.map(\.path)) == [
            "\(path).tunneling_config", "\(path).metadata_match", "\(path).downstream_idle_timeout",
        ])
        #expect(ctx.warnings.allSatisfy { $0.message == "not implemented by Tern yet; ignored" })
    }

    @Test func weightedClustersArePickedByWeight() throws {
        let (config, _) = try compile {
            $0.weightedClusters.clusters = [.with { $0.name = "a"; $0.weight = 1 }, .with { $0.name = "b"; $0.weight = 3 }]
        }
        var counts: [String: Int] = [:]
        for _ in 0..<8000 { counts[config.pickCluster(), default: 0] += 1 }
        // Expected 2000 / 6000; the bounds are many standard deviations (≈39) wide.
        #expect((1700...2300).contains(counts["a"] ?? 0))
        #expect((counts["a"] ?? 0) + (counts["b"] ?? 0) == 8000)
    }
}
