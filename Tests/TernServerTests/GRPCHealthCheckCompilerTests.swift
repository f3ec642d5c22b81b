import Testing
import TernConfig
import TernUpstream
@testable import TernServer

/// `grpc_health_check` compiles into `HealthCheckConfig.Kind.grpc` with its fields.
@Suite struct GRPCHealthCheckCompilerTests {
    static func bootstrap(_ grpc: String) -> String {
        Configs.bootstrap(listeners: [], clusters: [LoadBalancerCompilerTests.cluster("""
                health_checks:
                - timeout: 1s
                  interval: 5s
                  healthy_threshold: 1
                  unhealthy_threshold: 1
                  grpc_health_check: \(grpc)
            """)])
    }

    @Test func fieldsAreCompiled() throws {
        let snapshot = try Configs.compile(Self.bootstrap("""
            { service_name: pkg.Svc, authority: svc.local,
              initial_metadata: [{ header: { key: X-Token, value: a } },
                                 { header: { key: x-mode, value: b }, append_action: OVERWRITE_IF_EXISTS_OR_ADD }] }
            """))
        let c = try #require(snapshot.cluster(named: "c"))
        guard case .grpc(let g)? = c.health.healthCheck?.kind else {
            Issue.record("not a gRPC check: \(String(describing: c.health.healthCheck?.kind))")
            return
        }
        #expect(g.serviceName == "pkg.Svc")
        #expect(g.authority == "svc.local")
        #expect(g.initialMetadata.map(\.name) == ["x-token", "x-mode"])
        #expect(g.initialMetadata.map(\.append) == [true, false])
        #expect(snapshot.warnings.isEmpty)
    }

    @Test func emptyConfigMeansTheWholeServerAndTheClusterName() throws {
        let snapshot = try Configs.compile(Self.bootstrap("{}"))
        #expect(snapshot.cluster(named: "c")?.health.healthCheck?.kind == .grpc(GRPCHealthCheckConfig()))
    }

    @Test func metadataWithoutAKeyIsRejected() {
        let error = Configs.error(Self.bootstrap("{ initial_metadata: [{ header: { value: a } }] }"))
        #expect(error?.path == "static_resources.clusters[0].health_checks[0].grpc_health_check.initial_metadata[0].header.key")
    }
}
