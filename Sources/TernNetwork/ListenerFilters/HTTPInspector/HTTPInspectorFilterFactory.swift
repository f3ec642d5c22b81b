import SwiftProtobuf
import TernConfig

/// `envoy.filters.listener.http_inspector` (`envoy.extensions.filters.listener.http_inspector.v3.HttpInspector`):
/// detects HTTP/1.x and h2c on plaintext connections so that `filter_chain_match` can use
/// `application_protocols` (`http/1.0`, `http/1.1`, `h2c`).
public struct HTTPInspectorFilterFactory: ListenerFilterFactory {
    typealias Proto = Envoy_Extensions_Filters_Listener_HttpInspector_V3_HttpInspector

    let stats: HTTPInspectorStats

    /// The registry entry: name, config type and compile step.
    package static let registration = ListenerFilterRegistration(
        name: "envoy.filters.listener.http_inspector",
        configType: Proto.self
    ) { any, path, context in
        do {
            _ = try Proto(unpackingAny: any)
        } catch {
            throw CompileError(path, "invalid HttpInspector: \(error)")
        }
        return HTTPInspectorFilterFactory(stats: HTTPInspectorStats(root: context.stats.root))
    }

    public func makeFilter(worker: Worker) -> any ListenerFilter {
        HTTPInspectorFilter(stats: stats, worker: worker.index)
    }

    public var maxReadBytes: Int { HTTPProtocolSniffer.maxInspectSize }
}
