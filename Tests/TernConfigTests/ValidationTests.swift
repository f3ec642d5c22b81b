import Testing
import TernConfig

@Suite struct ValidationTests {
    static let hcmPath = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config"

    static func loadError(_ yaml: String, options: ConfigLoadOptions = ConfigLoadOptions()) -> ConfigError? {
        #expect(throws: ConfigError.self) { try BootstrapLoader.load(from: .text(yaml), options: options) }
    }

    @Test func unknownFieldInsideTypedConfigNamesTheFullPath() throws {
        let yaml = Fixtures.listenerYAML(hcmBody: """
            route_config:
              virtual_hosts:
              - name: vh
                domains: ["*"]
                routez: []
            """)
        let error = try #require(Self.loadError(yaml))
        #expect(error.path == "\(Self.hcmPath).route_config.virtual_hosts[0].routez")
        #expect(error.message.contains("envoy.config.route.v3.VirtualHost"))
        #expect(error.message.contains("did you mean 'routes'?"))
        #expect(error.description == "\(error.path): \(error.message)")
    }

    @Test func unknownTopLevelField() throws {
        let error = try #require(Self.loadError("static_resourcez: {}"))
        #expect(error.path == "static_resourcez")
        #expect(error.message.contains("static_resources"))
    }

    @Test func stringWhereAMessageIsExpected() throws {
        let error = try #require(Self.loadError(Fixtures.listenerYAML(hcmBody: "route_config: local_route")))
        #expect(error.path == "\(Self.hcmPath).route_config")
        #expect(error.message.contains("expected an object (envoy.config.route.v3.RouteConfiguration)"))
    }

    @Test func nonIntegerForAnIntegerField() throws {
        let yaml = "admin: { address: { socket_address: { address: 127.0.0.1, port_value: 80.5 } } }"
        let error = try #require(Self.loadError(yaml))
        #expect(error.path == "admin.address.socket_address.port_value")
        #expect(error.message.contains("expected an integer (uint32)"))
    }

    @Test func integerOutOfRange() throws {
        let yaml = "admin: { address: { socket_address: { address: 127.0.0.1, port_value: -1 } } }"
        let error = try #require(Self.loadError(yaml))
        #expect(error.message.contains("out of range for uint32"))
    }

    @Test func quotedIntegerIsAccepted() throws {
        let yaml = "admin: { address: { socket_address: { address: 127.0.0.1, port_value: \"9901\" } } }"
        let loaded = try BootstrapLoader.load(from: .text(yaml))
        #expect(loaded.bootstrap.admin.address.socketAddress.portValue == 9901)
    }

    @Test func numberForAStringFieldSuggestsQuoting() throws {
        let error = try #require(Self.loadError("node: { id: 12 }"))
        #expect(error.path == "node.id")
        #expect(error.message.contains("quote it: \"12\""))
    }

    @Test func listWhereAMessageIsExpectedAndViceVersa() throws {
        let notList = try #require(Self.loadError("static_resources: { clusters: { name: c } }"))
        #expect(notList.path == "static_resources.clusters")
        #expect(notList.message.contains("expected a list"))
    }

    @Test func badEnumNameListsTheValues() throws {
        let yaml = "static_resources: { clusters: [ { name: c, lb_policy: ROUND_ROBBIN } ] }"
        let error = try #require(Self.loadError(yaml))
        #expect(error.path == "static_resources.clusters[0].lb_policy")
        #expect(error.message.contains("ROUND_ROBBIN"))
        #expect(error.message.contains("ROUND_ROBIN, LEAST_REQUEST"))
    }

    @Test func lowercaseEnumNameGetsACaseHint() throws {
        let error = try #require(Self.loadError("static_resources: { clusters: [ { name: c, type: strict_dns } ] }"))
        #expect(error.message.contains("case-sensitive: 'STRICT_DNS'"))
    }

    @Test func enumByNumberIsAccepted() throws {
        let loaded = try BootstrapLoader.load(from: .text("static_resources: { clusters: [ { name: c, type: 1 } ] }"))
        #expect(loaded.bootstrap.staticResources.clusters[0].type == .strictDns)
    }

    @Test func millisecondDurationSuggestsSeconds() throws {
        let yaml = "static_resources: { clusters: [ { name: c, connect_timeout: 250ms } ] }"
        let error = try #require(Self.loadError(yaml))
        #expect(error.path == "static_resources.clusters[0].connect_timeout")
        #expect(error.message.contains("\"0.25s\""))
    }

    @Test(arguments: [("1m", "60s"), ("1.5h", "5400s"), ("100us", "0.0001s"), ("5", "5s")])
    func otherDurationSpellingsSuggestSeconds(written: String, suggested: String) throws {
        let yaml = "static_resources: { clusters: [ { name: c, connect_timeout: \"\(written)\" } ] }"
        let error = try #require(Self.loadError(yaml))
        #expect(error.message.contains("\"\(suggested)\""), "\(error)")
    }

    @Test func bareNumberDurationSuggestsSeconds() throws {
        let error = try #require(Self.loadError("static_resources: { clusters: [ { name: c, connect_timeout: 5 } ] }"))
        #expect(error.message.contains("expected a duration string such as \"5s\""))
    }

    @Test func unknownTypeURLIsAnError() throws {
        let yaml = """
            static_resources:
              listeners:
              - name: l
                filter_chains:
                - filters:
                  - name: envoy.filters.network.redis_proxy
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProxy
                      stat_prefix: redis
            """
        let error = try #require(Self.loadError(yaml))
        #expect(error.path == "static_resources.listeners[0].filter_chains[0].filters[0].typed_config")
        #expect(error.message.contains("type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProxy"))
    }

    @Test func missingTypeInAnAny() throws {
        let error = try #require(Self.loadError(Fixtures.listenerYAML(hcmBody: """
            http_filters:
            - name: envoy.filters.http.router
              typed_config: { dynamic_stats: false }
            """)))
        #expect(error.path == "\(Self.hcmPath).http_filters[0].typed_config")
        #expect(error.message.contains("@type"))
    }

    @Test func unknownTypeInAnOptionalFilterIsAWarning() throws {
        let yaml = Fixtures.listenerYAML(hcmBody: """
            http_filters:
            - name: envoy.filters.http.wasm
              is_optional: true
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
            - name: envoy.filters.http.router
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
            """)
        let loaded = try BootstrapLoader.load(from: .text(yaml))
        #expect(loaded.warnings.map(\.path) == ["\(Self.hcmPath).http_filters[0].typed_config"])
    }

    @Test func wellKnownTypeInsideAnAny() throws {
        let yaml = """
            static_resources:
              clusters:
              - name: c
                metadata:
                  typed_filter_metadata:
                    tern.test:
                      "@type": type.googleapis.com/google.protobuf.Duration
                      value: 1.5s
            """
        let loaded = try BootstrapLoader.load(from: .text(yaml))
        #expect(loaded.warnings.map(\.path) == ["static_resources.clusters[0].metadata"])
        let bad = try #require(Self.loadError(yaml.replacingOccurrences(of: "1.5s", with: "1500ms")))
        #expect(bad.path == "static_resources.clusters[0].metadata.typed_filter_metadata[\"tern.test\"].value")
    }

    @Test func mapOfAnyPathsUseTheKey() throws {
        let yaml = """
            static_resources:
              clusters:
              - name: xds-grpc
                typed_extension_protocol_options:
                  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                    explicit_http_config:
                      http2_protocol_options:
                        connection_keepalive: { interval: 30s, timeout: 10s }
            """
        let loaded = try BootstrapLoader.load(from: .text(yaml))
        // connection_keepalive is not implemented: the warning names it through the map's key.
        #expect(loaded.warnings.map(\.path) == ["static_resources.clusters[0].typed_extension_protocol_options"
            + "[\"envoy.extensions.upstreams.http.v3.HttpProtocolOptions\"].explicit_http_config.http2_protocol_options.connection_keepalive"])
        let options = try #require(loaded.bootstrap.staticResources.clusters.first?
            .typedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"])
        let decoded = try Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions(unpackingAny: options)
        #expect(decoded.explicitHTTPConfig.http2ProtocolOptions.connectionKeepalive.interval.seconds == 30)

        let bad = try #require(Self.loadError(yaml.replacingOccurrences(of: "interval: 30s", with: "intervall: 30s")))
        #expect(bad.path == "static_resources.clusters[0].typed_extension_protocol_options"
            + "[\"envoy.extensions.upstreams.http.v3.HttpProtocolOptions\"].explicit_http_config"
            + ".http2_protocol_options.connection_keepalive.intervall")
        #expect(bad.message.contains("did you mean 'interval'?"))
    }

    @Test func twoMembersOfAOneofIsAnError() throws {
        let error = try #require(Self.loadError(Fixtures.listenerYAML(hcmBody: """
            route_config:
              virtual_hosts:
              - name: vh
                domains: ["*"]
                routes:
                - match: { prefix: /, path: /exact }
                  route: { cluster: c }
            """)))
        #expect(error.path == "\(Self.hcmPath).route_config.virtual_hosts[0].routes[0].match.path")
        #expect(error.message.contains("oneof 'path_specifier'"))
    }

    @Test func yamlOnForABoolFieldExplainsYAML12() throws {
        let error = try #require(Self.loadError("static_resources: { clusters: [ { name: c, respect_dns_ttl: on } ] }"))
        #expect(error.path == "static_resources.clusters[0].respect_dns_ttl")
        #expect(error.message.contains("YAML 1.2"))
    }

    // MARK: - Unknown fields allowed

    @Test func allowUnknownFieldsTurnsErrorsIntoWarnings() throws {
        let yaml = Fixtures.listenerYAML(hcmBody: """
            bogus_top: 1
            route_config:
              virtual_hosts:
              - name: vh
                domains: ["*"]
                routez: []
                routes:
                - match: { prefix: / }
                  route: { cluster: c, not_a_field: true }
            """)
        #expect(Self.loadError(yaml) != nil)
        let loaded = try BootstrapLoader.load(from: .text(yaml), options: ConfigLoadOptions(allowUnknownFields: true))
        #expect(loaded.warnings.map(\.path) == [
            "\(Self.hcmPath).bogus_top",
            "\(Self.hcmPath).route_config.virtual_hosts[0].routez",
            "\(Self.hcmPath).route_config.virtual_hosts[0].routes[0].route.not_a_field",
        ])
        #expect(loaded.warnings.allSatisfy { $0.message.hasSuffix("; ignored") })
        let filter = try #require(loaded.bootstrap.staticResources.listeners.first?.filterChains.first?.filters.first)
        let hcm = try Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager(
            unpackingAny: filter.typedConfig)
        #expect(hcm.routeConfig.virtualHosts.first?.routes.first?.route.cluster == "c")
    }

    @Test func allowUnknownFieldsDoesNotExcuseTypeErrors() throws {
        let error = try #require(Self.loadError(
            "static_resources: { clusters: [ { name: c, connect_timeout: 250ms } ] }",
            options: ConfigLoadOptions(allowUnknownFields: true)))
        #expect(error.path == "static_resources.clusters[0].connect_timeout")
    }

    // MARK: - Not-implemented warnings

    @Test func unimplementedFieldWarnsWithItsPath() throws {
        let yaml = """
            static_resources:
              clusters:
              - name: c
                connect_timeout: 1s
                outlier_detection:
                  consecutive_5xx: 5
                  interval: 10s
                cleanup_interval: 5s
                close_connections_on_host_health_failure: false
            """
        let loaded = try BootstrapLoader.load(from: .text(yaml))
        #expect(loaded.warnings.map(\.description) == [
            "static_resources.clusters[0].cleanup_interval: not implemented by Tern yet; ignored",
        ])
        #expect(loaded.bootstrap.staticResources.clusters[0].outlierDetection.consecutive5Xx.value == 5)
    }

    @Test func unimplementedFieldInsideTypedConfigWarns() throws {
        let yaml = Fixtures.listenerYAML(hcmBody: """
            merge_slashes: true
            normalize_path: false
            http_protocol_options: { accept_http_10: true, enable_trailers: true }
            common_http_protocol_options: { idle_timeout: 60s }
            """)
        let loaded = try BootstrapLoader.load(from: .text(yaml))
        #expect(loaded.warnings.map(\.path) == [
            "\(Self.hcmPath).merge_slashes",
            "\(Self.hcmPath).normalize_path",
            "\(Self.hcmPath).http_protocol_options.enable_trailers",
        ])
    }

    @Test func defaultValuedUnimplementedFieldsDoNotWarn() throws {
        let yaml = Fixtures.listenerYAML(hcmBody: """
            merge_slashes: false
            forward_client_cert_details: SANITIZE
            internal_address_config: null
            """)
        let loaded = try BootstrapLoader.load(from: .text(yaml))
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
    }
}
