import SwiftProtobuf
import TernConfig

/// The step every extension list shares (network filters, listener filters): the `typed_config`
/// of an entry, or its type's default when the entry names the extension without one (as in
/// Envoy), handed to the registration's compile; an error that is not already a
/// `CompileError` is reported at `<path>.typed_config`.
enum TypedExtensionConfig {
    static func compile<Factory>(typedConfig: Google_Protobuf_Any?, defaultType: any SwiftProtobuf.Message.Type,
                                 path: String, context: CompileContext,
                                 _ compile: (Google_Protobuf_Any, String, CompileContext) throws -> Factory) throws -> Factory {
        let config: Google_Protobuf_Any
        do {
            config = try typedConfig ?? Google_Protobuf_Any(message: defaultType.init())
        } catch {
            throw CompileError("\(path).typed_config", "\(error)")
        }
        do {
            return try compile(config, "\(path).typed_config", context)
        } catch let error as CompileError {
            throw error
        } catch {
            throw CompileError("\(path).typed_config", "\(error)")
        }
    }
}
