import Foundation
import SwiftProtobuf

// The loading layer: file or string → JSON-shaped tree (YAML 1.2 core schema or JSON) →
// validation against the descriptors of proto/ (paths, hints, warnings) → swift-protobuf's JSON
// decoder. It knows nothing about what the configuration means; the config compiler does that.

/// How strictly a configuration is read.
package struct ConfigLoadOptions: Sendable, Hashable {
    /// Envoy's `--allow-unknown-static-fields`: unknown fields become warnings and are dropped
    /// before decoding, instead of failing the load.
    package var allowUnknownFields: Bool

    /// Creates options; the default is strict.
    package init(allowUnknownFields: Bool = false) {
        self.allowUnknownFields = allowUnknownFields
    }
}

/// A decoded bootstrap and everything worth telling the operator about it.
package struct LoadedBootstrap: Sendable {
    /// The bootstrap, decoded.
    package var bootstrap: Envoy_Config_Bootstrap_V3_Bootstrap
    /// Warnings from loading, in input order; the config compiler appends its own.
    package var warnings: [ConfigWarning]

    /// Creates a result.
    package init(bootstrap: Envoy_Config_Bootstrap_V3_Bootstrap, warnings: [ConfigWarning] = []) {
        self.bootstrap = bootstrap
        self.warnings = warnings
    }

    /// Adds a warning at `path` (same form as the loader's, e.g. `static_resources.clusters[0].lb_policy`).
    package mutating func warn(at path: String, _ message: String) {
        warnings.append(ConfigWarning(path: path, message: message))
    }

    /// Adds the standard not-implemented warning at `path`.
    package mutating func warnNotImplemented(at path: String) {
        warnings.append(.notImplemented(at: path))
    }
}

/// Loads Envoy v3 bootstraps (and, generically, any message of `proto/`) from YAML or JSON.
package enum BootstrapLoader {
    /// Loads a bootstrap from one source.
    package static func load(
        from source: ConfigSource,
        options: ConfigLoadOptions = ConfigLoadOptions()
    ) throws(ConfigError) -> LoadedBootstrap {
        let (bootstrap, warnings) = try decode(source.read(), as: Envoy_Config_Bootstrap_V3_Bootstrap.self, options: options)
        return LoadedBootstrap(bootstrap: bootstrap, warnings: warnings)
    }

    /// Loads a bootstrap the way Envoy combines `-c <path>` and `--config-yaml <yaml>`: the YAML
    /// is merged over the file with protobuf merge rules (set scalars replace, lists append,
    /// messages merge field by field). Either may be nil, not both.
    package static func load(
        path: String?,
        configYAML: String?,
        options: ConfigLoadOptions = ConfigLoadOptions()
    ) throws(ConfigError) -> LoadedBootstrap {
        switch (path, configYAML) {
        case (nil, nil):
            throw ConfigError(path: "", message: "no configuration given (use -c <path> or --config-yaml)")
        case (let path?, nil):
            return try load(from: .file(path: path), options: options)
        case (nil, let yaml?):
            return try load(from: .text(yaml), options: options)
        case (let path?, let yaml?):
            var base = try load(from: .file(path: path), options: options)
            let overlay = try load(from: .text(yaml), options: options)
            do {
                try base.bootstrap.merge(serializedBytes: overlay.bootstrap.serializedBytes() as [UInt8])
            } catch {
                throw ConfigError(path: "", message: "cannot merge --config-yaml over \(path): \(error)")
            }
            base.warnings += overlay.warnings.map {
                ConfigWarning(path: $0.path, message: "\($0.message) (in --config-yaml)")
            }
            return base
        }
    }

    /// Validates a parsed document as message `M` and decodes it. `Any` payloads stay JSON until
    /// unpacked; re-encoding the result as binary needs their types registered first
    /// (`registerAnyTypes`, which the server feeds from its extension registries).
    package static func decode<M: Message>(
        _ document: ConfigValue,
        as type: M.Type,
        options: ConfigLoadOptions = ConfigLoadOptions()
    ) throws(ConfigError) -> (message: M, warnings: [ConfigWarning]) {
        var validator = SchemaValidator(allowUnknownFields: options.allowUnknownFields)
        let root: ConfigValue = document == .null ? .object([]) : document
        let checked = try validator.validate(root, as: M.protoMessageName)
        var decoding = JSONDecodingOptions()
        decoding.ignoreUnknownFields = options.allowUnknownFields
        do {
            return (try M(jsonString: checked.jsonText, options: decoding), validator.warnings)
        } catch {
            // The validator should have caught anything the decoder rejects; say what it missed.
            throw ConfigError(path: "", message: "configuration does not decode as \(M.protoMessageName): \(error)")
        }
    }

}
