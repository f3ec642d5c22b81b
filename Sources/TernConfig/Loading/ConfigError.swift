/// A configuration that cannot be loaded: where the problem is and what it is.
///
/// `path` names the place in the input, e.g.
/// `static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config`; it is
/// empty for problems with the input as a whole (unreadable file, YAML syntax).
package struct ConfigError: Error, CustomStringConvertible, Sendable, Hashable {
    /// Field path into the input document, or empty for the document as a whole.
    package var path: String
    /// What is wrong, and where possible what would be right.
    package var message: String

    /// Creates an error at `path`.
    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// Creates an error at `path`.
    package init(_ path: ConfigPath, _ message: String) {
        self.init(path: path.description, message: message)
    }

    /// `"<path>: <message>"`, or just the message when there is no path.
    package var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}
