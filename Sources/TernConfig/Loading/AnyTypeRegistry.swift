import SwiftProtobuf

/// Registers message types with swift-protobuf's global `Any` registry so `Any` values holding
/// them can be decoded from JSON and re-encoded as binary. Registering a type twice is harmless.
package func registerAnyTypes(_ types: [any Message.Type]) {
    for type in types {
        _ = Google_Protobuf_Any.register(messageType: type)
    }
}
