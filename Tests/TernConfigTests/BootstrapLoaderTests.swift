import Foundation
import Testing
import TernConfig

@Suite struct BootstrapLoaderTests {
    @Test func frontProxyYAMLLoads() throws {
        let loaded = try BootstrapLoader.load(from: .text(Fixtures.frontProxyYAML))
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        try Self.checkFrontProxy(loaded.bootstrap)
    }

    @Test func frontProxyJSONFileLoads() throws {
        let path = try Fixtures.temporaryFile(Fixtures.frontProxyJSON, extension: "json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(ConfigSource.file(path: path).format == .json)
        let loaded = try BootstrapLoader.load(from: .file(path: path))
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        try Self.checkFrontProxy(loaded.bootstrap)
    }

    @Test(arguments: ["yaml", "yml", "conf"])
    func yamlFileLoadsByExtension(ext: String) throws {
        let path = try Fixtures.temporaryFile(Fixtures.frontProxyYAML, extension: ext)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loaded = try BootstrapLoader.load(from: .file(path: path))
        try Self.checkFrontProxy(loaded.bootstrap)
    }

    @Test func yamlAndJSONDecodeToTheSameMessage() throws {
        _ = FixtureAnyTypes.registered
        let fromYAML = try BootstrapLoader.load(from: .text(Fixtures.frontProxyYAML)).bootstrap
        let fromJSON = try BootstrapLoader.load(from: .text(Fixtures.frontProxyJSON)).bootstrap
        #expect(try fromYAML.serializedBytes() as [UInt8] == fromJSON.serializedBytes() as [UInt8])
    }

    @Test func camelCaseFieldNamesAreAccepted() throws {
        let yaml = """
            staticResources:
              clusters:
              - name: c
                connectTimeout: 1s
                lbPolicy: ROUND_ROBIN
                loadAssignment:
                  clusterName: c
                  endpoints:
                  - lbEndpoints:
                    - endpoint: { address: { socketAddress: { address: 10.0.0.1, portValue: 80 } } }
            """
        let cluster = try #require(BootstrapLoader.load(from: .text(yaml)).bootstrap.staticResources.clusters.first)
        #expect(cluster.connectTimeout.seconds == 1)
        #expect(cluster.loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.socketAddress.portValue == 80)
    }

    @Test func sameFieldUnderBothSpellingsIsAnError() {
        let twice = #expect(throws: ConfigError.self) {
            try BootstrapLoader.load(from: .text("node: { user_agent_name: a, userAgentName: b }"))
        }
        #expect(twice?.path == "node.userAgentName")
    }

    @Test func configYAMLMergesOverTheFile() throws {
        let path = try Fixtures.temporaryFile(Fixtures.frontProxyYAML, extension: "yaml")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let overlay = """
            node: { id: overridden }
            static_resources:
              clusters:
              - name: extra
                connect_timeout: 2s
            """
        let loaded = try BootstrapLoader.load(path: path, configYAML: overlay)
        #expect(loaded.bootstrap.node.id == "overridden")
        #expect(loaded.bootstrap.node.cluster == "tern")
        #expect(loaded.bootstrap.staticResources.clusters.map(\.name) == ["service_backend", "extra"])
    }

    @Test func emptyDocumentIsAnEmptyBootstrap() throws {
        let loaded = try BootstrapLoader.load(from: .text(""))
        #expect(loaded.bootstrap == Envoy_Config_Bootstrap_V3_Bootstrap())
    }

    @Test func missingFileNamesThePath() {
        let error = #expect(throws: ConfigError.self) {
            try BootstrapLoader.load(from: .file(path: "/nonexistent/tern.yaml"))
        }
        #expect(error?.description.contains("/nonexistent/tern.yaml") == true)
    }

    @Test func compilerCanAddWarnings() throws {
        var loaded = try BootstrapLoader.load(from: .text(Fixtures.frontProxyYAML))
        loaded.warn(at: "static_resources.clusters[0].lb_policy", "MAGLEV is not implemented; using ROUND_ROBIN")
        loaded.warnNotImplemented(at: "static_resources.clusters[0].dns_lookup_family")
        #expect(loaded.warnings.map(\.description) == [
            "static_resources.clusters[0].lb_policy: MAGLEV is not implemented; using ROUND_ROBIN",
            "static_resources.clusters[0].dns_lookup_family: not implemented by Tern yet; ignored",
        ])
    }

    // MARK: - Helpers

    static func checkFrontProxy(_ bootstrap: Envoy_Config_Bootstrap_V3_Bootstrap) throws {
        #expect(bootstrap.node.id == "tern-test")
        #expect(bootstrap.admin.address.socketAddress.portValue == 9901)

        let listener = try #require(bootstrap.staticResources.listeners.first)
        #expect(listener.name == "listener_0")
        #expect(listener.address.socketAddress.address == "0.0.0.0")
        #expect(listener.address.socketAddress.portValue == 10000)
        let filter = try #require(listener.filterChains.first?.filters.first)
        #expect(filter.name == "envoy.filters.network.http_connection_manager")

        let hcm = try Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager(
            unpackingAny: filter.typedConfig)
        #expect(hcm.statPrefix == "ingress_http")
        #expect(hcm.codecType == .auto)
        #expect(hcm.streamIdleTimeout.seconds == 300)
        #expect(hcm.accessLog.first?.typedConfig.isA(Envoy_Extensions_AccessLoggers_Stream_V3_StdoutAccessLog.self) == true)
        #expect(hcm.httpFilters.first?.typedConfig.isA(Envoy_Extensions_Filters_Http_Router_V3_Router.self) == true)

        let routes = hcm.routeConfig.virtualHosts.first?.routes ?? []
        #expect(routes.count == 2)
        #expect(routes.first?.match.prefix == "/api")
        #expect(routes.first?.route.cluster == "service_backend")
        #expect(routes.first?.route.timeout.seconds == 15)
        #expect(routes.first?.route.prefixRewrite == "/")
        #expect(routes.last?.directResponse.status == 200)
        #expect(routes.last?.directResponse.body.inlineString == "ok")

        let cluster = try #require(bootstrap.staticResources.clusters.first)
        #expect(cluster.name == "service_backend")
        #expect(cluster.type == .strictDns)
        #expect(cluster.connectTimeout.nanos == 250_000_000)
        #expect(cluster.lbPolicy == .roundRobin)
        #expect(cluster.dnsLookupFamily == .v4Only)
        let endpoints = cluster.loadAssignment.endpoints.first?.lbEndpoints ?? []
        #expect(endpoints.map(\.endpoint.address.socketAddress.address) == ["backend.local", "backend2.local"])

        // Every Any type is registered, so the whole bootstrap re-encodes as binary.
        _ = FixtureAnyTypes.registered
        let bytes: [UInt8] = try bootstrap.serializedBytes()
        let decoded = try Envoy_Config_Bootstrap_V3_Bootstrap(serializedBytes: bytes)
        #expect(try decoded.serializedBytes() as [UInt8] == bytes)
    }
}
