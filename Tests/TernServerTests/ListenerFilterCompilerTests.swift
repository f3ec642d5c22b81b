import NIOCore
import Testing
import TernConfig
@testable import TernServer

/// `listener_filters` and the filter-chain match fields around them compile as Envoy reads them.
@Suite struct ListenerFilterCompilerTests {
    private static let tlsInspector = """
            listener_filters:
            - name: envoy.filters.listener.tls_inspector
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
        """

    @Test func listenerFiltersAndTheirTimeout() throws {
        let plain = try Configs.compile(Configs.bootstrap(listeners: [Configs.greeterListener(name: "plain")]))
        #expect(plain.listeners[0].listenerFilters.isEmpty, "no listener filters: no listener-filter phase")
        #expect(plain.listeners[0].listenerFiltersTimeout == .seconds(15))

        let inspected = try Configs.compile(Configs.bootstrap(listeners: [Configs.greeterListener(
            name: "l", extra: Self.tlsInspector + "\n    listener_filters_timeout: 0s\n    continue_on_listener_filters_timeout: true")]))
        let l = inspected.listeners[0]
        #expect(l.listenerFilters.count == 1)
        #expect(l.listenerFiltersTimeout == nil, "0 disables the timeout")
        #expect(l.continueOnListenerFiltersTimeout)
        #expect(inspected.warnings.isEmpty)
    }

    @Test func aFilterNamedWithoutConfigAndUnknownFilters() throws {
        let extra = """
                listener_filters:
                - name: envoy.filters.listener.http_inspector
                - name: envoy.filters.listener.original_dst
                listener_filters_timeout: 2.5s
            """
        let snapshot = try Configs.compile(Configs.bootstrap(listeners: [Configs.greeterListener(name: "l", extra: extra)]))
        #expect(snapshot.listeners[0].listenerFilters.count == 1)
        #expect(snapshot.listeners[0].listenerFiltersTimeout == .milliseconds(2500))
        #expect(snapshot.warnings.map(\.description) == [
            "static_resources.listeners[0].listener_filters[1]: 'envoy.filters.listener.original_dst' is not implemented by Tern yet; ignored",
        ])
    }

    @Test func tlsInspectorFieldsWarnOrFailWithTheirPath() throws {
        let warned = try Configs.compile(Configs.bootstrap(listeners: [Configs.greeterListener(
            name: "l", extra: Self.tlsInspector + "\n        enable_ja3_fingerprinting: true")]))
        #expect(warned.warnings.map(\.path) == ["static_resources.listeners[0].listener_filters[0].typed_config.enable_ja3_fingerprinting"])
        let error = try #require(Configs.error(Configs.bootstrap(listeners: [Configs.greeterListener(
            name: "l", extra: Self.tlsInspector + "\n        initial_read_buffer_size: 100")])))
        #expect(error.path == "static_resources.listeners[0].listener_filters[0].typed_config.initial_read_buffer_size")
    }

    @Test func overlappingChainsAreRefusedAsByEnvoy() throws {
        func listener(_ second: String) -> String {
            """
              - name: l
                address:
                  socket_address: { address: 127.0.0.1, port_value: 0 }
                filter_chains:
                - filter_chain_match: { server_names: ["a.example.com", "b.example.com"] }
                  filters:
                  - name: test.greeter
                    typed_config: { "@type": type.googleapis.com/google.protobuf.StringValue, value: hi }
                - filter_chain_match: { \(second) }
                  filters:
                  - name: test.greeter
                    typed_config: { "@type": type.googleapis.com/google.protobuf.StringValue, value: hi }
            """
        }
        let path = "static_resources.listeners[0].filter_chains[1].filter_chain_match"
        let same = try #require(Configs.error(Configs.bootstrap(listeners: [listener(#"server_names: ["a.example.com", "b.example.com"]"#)])))
        #expect(same.path == path && same.message.contains("same matching rules"))
        let overlap = try #require(Configs.error(Configs.bootstrap(listeners: [listener(#"server_names: ["B.example.com"]"#)])))
        #expect(overlap.path == path && overlap.message.contains("overlapping matching rules"))
        // Another name, or the same name for another transport protocol, is a different combination.
        #expect(Configs.error(Configs.bootstrap(listeners: [listener(#"server_names: ["c.example.com"]"#)])) == nil)
        #expect(Configs.error(Configs.bootstrap(listeners: [listener(#"server_names: ["b.example.com"], transport_protocol: tls"#)])) == nil)
    }

    @Test func partialServerNameWildcardsAreRefused() throws {
        for bad in ["\"a*.example.com\"", "\"*example.com\"", "\"*.*.example.com\"", "\"*\""] {
            let listener = """
                  - name: l
                    address:
                      socket_address: { address: 127.0.0.1, port_value: 0 }
                    filter_chains:
                    - filter_chain_match: { server_names: ["ok.example.com", \(bad)] }
                      filters:
                      - name: test.greeter
                        typed_config: { "@type": type.googleapis.com/google.protobuf.StringValue, value: hi }
                """
            let error = try #require(Configs.error(Configs.bootstrap(listeners: [listener])), "\(bad)")
            #expect(error.path == "static_resources.listeners[0].filter_chains[0].filter_chain_match.server_names[1]")
            #expect(error.message.contains("partial wildcards"))
        }
    }
}
