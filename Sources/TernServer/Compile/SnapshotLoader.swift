import TernConfig
import TernCore

/// Load and compile in one step, as start, reload and `tern validate` do: the file (and
/// `--config-yaml`) is read and checked against the schema by TernConfig's loader, then compiled.
/// Every failure is a `CompileError` naming the field path ("" for the document as a whole).
public struct SnapshotLoader: Sendable {
    public let compiler: BootstrapCompiler
    public let configPath: String?
    public let configYAML: String?
    public let allowUnknownStaticFields: Bool

    public init(compiler: BootstrapCompiler, configPath: String?, configYAML: String?, allowUnknownStaticFields: Bool = false) {
        self.compiler = compiler
        self.configPath = configPath
        self.configYAML = configYAML
        self.allowUnknownStaticFields = allowUnknownStaticFields
    }

    /// Builds the loader a server with `options` uses.
    public init(options: ServerOptions, extensions: ExtensionSet = .builtin) {
        var compiler = BootstrapCompiler(extensions: extensions)
        compiler.serviceNode = options.serviceNode
        compiler.serviceCluster = options.serviceCluster
        compiler.serviceZone = options.serviceZone
        self.init(compiler: compiler, configPath: options.configPath, configYAML: options.configYAML,
                  allowUnknownStaticFields: options.allowUnknownStaticFields)
    }

    /// Reads and compiles the config, making stats in `stats`.
    public func load(stats: StatsStore) throws -> Snapshot {
        let loaded: LoadedBootstrap
        do {
            loaded = try BootstrapLoader.load(path: configPath, configYAML: configYAML,
                                              options: ConfigLoadOptions(allowUnknownFields: allowUnknownStaticFields))
        } catch {
            throw CompileError(error.path, error.message)
        }
        return try compiler.compile(loaded.bootstrap, stats: stats,
                                    loadWarnings: loaded.warnings.map { CompileWarning(path: $0.path, message: $0.message) })
    }

    /// `<field path>: <message>`, or the message alone for problems with the document as a whole.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? CompileError else { return "\(error)" }
        return error.path.isEmpty ? error.message : "\(error.path): \(error.message)"
    }

    /// Compiles a YAML or JSON document given as text (tests, `--config-yaml` alone).
    public func load(yaml: String, stats: StatsStore) throws -> Snapshot {
        try SnapshotLoader(compiler: compiler, configPath: nil, configYAML: yaml,
                           allowUnknownStaticFields: allowUnknownStaticFields).load(stats: stats)
    }
}
