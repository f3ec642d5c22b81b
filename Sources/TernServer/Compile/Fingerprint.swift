import SwiftProtobuf
import TernConfig

/// Fingerprints of config protos: their deterministic binary encoding. Two resources whose
/// fingerprints are equal are the same config, so a reload keeps the running object.
enum Fingerprint {
    /// The deterministic serialized bytes of `message`. `Any` fields need their type registered
    /// (the compiler registers every built-in extension type first); a message that still cannot
    /// be encoded is a compile error at `path`.
    static func of(_ message: some SwiftProtobuf.Message, path: String) throws -> [UInt8] {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        do {
            return try message.serializedBytes(options: options)
        } catch {
            throw CompileError(path, "cannot encode for comparison (an extension type that is not registered?): \(error)")
        }
    }
}
