import SwiftProtobuf
import Testing
import TernConfig

@Suite struct SchemaTests {
    @Test func everyUnimplementedEntryNamesARealField() {
        let schema = ProtoSchema.envoy
        let known = Set(schema.messages.values.flatMap { $0.fields.map(\.fullName) })
        let unknown = UnimplementedFields.all.subtracting(known)
        #expect(unknown.isEmpty, "not fields of proto/: \(unknown.sorted())")
    }

    @Test func everyFixtureAnyTypeIsInTheSchema() {
        for type: any SwiftProtobuf.Message.Type in [Envoy_Extensions_Filters_Http_Router_V3_Router.self,
                                                     Envoy_Extensions_Upstreams_Http_V3_HttpProtocolOptions.self] {
            #expect(ProtoSchema.envoy.messages[type.protoMessageName] != nil, "\(type.protoMessageName)")
        }
    }

    @Test func schemaKnowsBothSpellings() throws {
        let listener = try #require(ProtoSchema.envoy.messages["envoy.config.listener.v3.Listener"])
        #expect(listener.field(named: "filter_chains")?.number == 3)
        #expect(listener.field(named: "filterChains")?.number == 3)
        let cluster = try #require(ProtoSchema.envoy.messages["envoy.config.cluster.v3.Cluster"])
        #expect(cluster.field(named: "type")?.oneof == "cluster_discovery_type")
        let metadata = try #require(ProtoSchema.envoy.messages["envoy.config.core.v3.Metadata"])
        #expect(metadata.field(named: "filter_metadata")?.map?.value == .message("google.protobuf.Struct"))
    }

    @Test func pathsPrint() {
        let path = ConfigPath.root.appending(field: "a").appending(index: 2).appending(field: "b").appending(key: "k.x")
        #expect(path.description == "a[2].b[\"k.x\"]")
        #expect(ConfigError(path, "bad").description == "a[2].b[\"k.x\"]: bad")
        #expect(ConfigError(path: "", message: "whole").description == "whole")
    }
}
