import NIOCore
import TernCore

/// What compiling a config needs besides the proto: the stats store that compiled objects make
/// their stats in, the names of the clusters being defined (routes to other names are errors),
/// and a list that collects warnings. Used once per load, off the data path.
public final class CompileContext {
    public let stats: StatsStore
    /// Names of every cluster in the config being compiled.
    public let clusterNames: Set<String>
    /// Warnings gathered while compiling, each naming the field path.
    public private(set) var warnings: [CompileWarning] = []

    public init(stats: StatsStore, clusterNames: Set<String>) {
        self.stats = stats
        self.clusterNames = clusterNames
    }

    /// Records a warning at `path` (one per path and message).
    public func warn(_ path: String, _ message: String) {
        let w = CompileWarning(path: path, message: message)
        if !warnings.contains(w) { warnings.append(w) }
    }
}

/// A field path and what is wrong with it, not fatal.
public struct CompileWarning: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// A config that cannot be compiled, naming the field path.
public struct CompileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String
    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
