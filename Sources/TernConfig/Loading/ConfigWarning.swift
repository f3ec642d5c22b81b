/// Something in a configuration that Tern accepts but does not fully honour.
///
/// The loader produces these for unknown fields (with `allowUnknownFields`) and for known fields that
/// Tern does not implement yet; the config compiler adds its own through `LoadedBootstrap.warn`.
package struct ConfigWarning: Sendable, Hashable, CustomStringConvertible {
    /// Field path into the input document (same form as `ConfigError.path`).
    package var path: String
    /// What is ignored or approximated.
    package var message: String

    /// Creates a warning at `path`.
    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// Creates a warning at `path`.
    package init(_ path: ConfigPath, _ message: String) {
        self.init(path: path.description, message: message)
    }

    /// The standard warning for a known field that Tern does not act on.
    package static func notImplemented(at path: ConfigPath) -> ConfigWarning {
        ConfigWarning(path, notImplementedMessage)
    }

    /// The standard warning for a known field that Tern does not act on.
    package static func notImplemented(at path: String) -> ConfigWarning {
        ConfigWarning(path: path, message: notImplementedMessage)
    }

    /// Message text shared by every not-implemented warning, so logs can be grepped for it.
    package static let notImplementedMessage = "not implemented by Tern yet; ignored"

    /// `"<path>: <message>"`, or just the message when there is no path.
    package var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}
