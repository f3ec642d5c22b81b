/// A location in a configuration document, printed as `a.b[0].c["key"]`.
///
/// Field components are printed as the input spelled them (snake_case or lowerCamel), so the
/// path can be found in the file.
package struct ConfigPath: Sendable, Hashable, CustomStringConvertible {
    /// One step from a value to a value inside it.
    package enum Component: Sendable, Hashable {
        /// A field of a message (or a key of a JSON object that is not a map).
        case field(String)
        /// An element of a repeated field.
        case index(Int)
        /// An entry of a map field.
        case key(String)
    }

    /// The steps from the document root.
    package private(set) var components: [Component]

    /// The document root; prints as the empty string.
    package static let root = ConfigPath(components: [])

    /// Creates a path from its steps.
    package init(components: [Component]) {
        self.components = components
    }

    /// This path followed by a field name.
    package func appending(field name: String) -> ConfigPath {
        ConfigPath(components: components + [.field(name)])
    }

    /// This path followed by an array index.
    package func appending(index: Int) -> ConfigPath {
        ConfigPath(components: components + [.index(index)])
    }

    /// This path followed by a map key.
    package func appending(key: String) -> ConfigPath {
        ConfigPath(components: components + [.key(key)])
    }

    /// Whether this is the document root.
    package var isRoot: Bool { components.isEmpty }

    /// The printed form, e.g. `static_resources.clusters[0].load_assignment`.
    package var description: String {
        var out = ""
        for component in components {
            switch component {
            case .field(let name):
                if !out.isEmpty { out += "." }
                out += name
            case .index(let index):
                out += "[\(index)]"
            case .key(let key):
                out += "[\"\(key)\"]"
            }
        }
        return out
    }
}
