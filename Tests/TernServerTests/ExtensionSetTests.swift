import SwiftProtobuf
import Testing
@testable import TernConfig
@testable import TernServer

@Suite struct ExtensionSetTests {
    /// The `Any` registry comes from the extension lists; each type must be in our proto subset.
    @Test func everyRegisteredTypeIsInTheSchema() {
        let names = ExtensionSet.builtin.anyTypes.map { $0.protoMessageName }
        #expect(names.contains("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"))
        #expect(names.contains("envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"))
        #expect(names.contains("envoy.extensions.filters.http.router.v3.Router"))
        #expect(Set(names).count == names.count, "a type is listed twice")
        for name in names {
            #expect(ProtoSchema.envoy.messages[name] != nil, "\(name)")
        }
    }
}
