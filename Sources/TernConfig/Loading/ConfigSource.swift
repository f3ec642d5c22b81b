import Foundation

/// Where a bootstrap configuration comes from: a file (`-c`, `--config-path`) or a string
/// (`--config-yaml`).
package enum ConfigSource: Sendable, Hashable {
    /// A file; its extension picks the format as Envoy does (`.json` JSON, `.yaml`/`.yml` YAML,
    /// anything else is read as YAML, which also reads most JSON).
    case file(path: String)
    /// YAML (or JSON, which YAML 1.2 contains) text.
    case text(String)

    /// The document format of a source.
    package enum Format: Sendable, Hashable {
        case json
        case yaml
    }

    /// The format the source is parsed as.
    package var format: Format {
        guard case .file(let path) = self else { return .yaml }
        return path.lowercased().hasSuffix(".json") ? .json : .yaml
    }

    /// Reads the source into a JSON-shaped tree.
    package func read() throws(ConfigError) -> ConfigValue {
        switch self {
        case .text(let text):
            return try YAMLTreeBuilder.parse(text)
        case .file(let path):
            let lowered = path.lowercased()
            if lowered.hasSuffix(".pb") || lowered.hasSuffix(".pb_text") {
                throw ConfigError(path: "", message: "\(path): binary and text-proto bootstraps are not supported; use YAML or JSON")
            }
            let contents: String
            do {
                contents = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigError(path: "", message: "cannot read \(path): \(error.localizedDescription)")
            }
            do {
                switch format {
                case .json: return try JSONTreeParser.parse(contents)
                case .yaml: return try YAMLTreeBuilder.parse(contents)
                }
            } catch {
                // Name the file for whole-document problems (syntax errors).
                guard error.path.isEmpty else { throw error }
                throw ConfigError(path: "", message: "\(path): \(error.message)")
            }
        }
    }
}
