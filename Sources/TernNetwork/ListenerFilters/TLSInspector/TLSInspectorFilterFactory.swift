import SwiftProtobuf
import TernConfig

/// `envoy.filters.listener.tls_inspector` (`envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector`):
/// detects TLS and reads SNI and ALPN from the ClientHello so that `filter_chain_match` can use
/// `transport_protocol`, `server_names` and `application_protocols`. Tern parses the hello
/// itself (`ClientHelloParser`); it never terminates TLS here, so the bytes pass on untouched
/// (TLS passthrough, or a chain's own `transport_socket`).
public struct TLSInspectorFilterFactory: ListenerFilterFactory {
    typealias Proto = Envoy_Extensions_Filters_Listener_TlsInspector_V3_TlsInspector

    let parser: ClientHelloParser
    let stats: TLSInspectorStats

    /// The registry entry: name, config type and compile step.
    package static let registration = ListenerFilterRegistration(
        name: "envoy.filters.listener.tls_inspector",
        configType: Proto.self
    ) { any, path, context in
        let proto: Proto
        do {
            proto = try Proto(unpackingAny: any)
        } catch {
            throw CompileError(path, "invalid TlsInspector: \(error)")
        }
        return try TLSInspectorFilterFactory(proto: proto, path: path, context: context)
    }

    init(proto: Proto, path: String, context: CompileContext) throws {
        if proto.hasEnableJa3Fingerprinting, proto.enableJa3Fingerprinting.value {
            context.warn("\(path).enable_ja3_fingerprinting", "not implemented by Tern yet; ignored")
        }
        if proto.hasInitialReadBufferSize {
            // Envoy's bounds (255 < size < 65537). The size only tunes how Envoy peeks; Tern
            // takes the bytes as each read brings them, so a valid value changes nothing.
            let size = proto.initialReadBufferSize.value
            guard size > 255, size < 65537 else {
                throw CompileError("\(path).initial_read_buffer_size", "must be greater than 255 and less than 65537")
            }
            context.warn("\(path).initial_read_buffer_size",
                         "not implemented by Tern yet; ignored (each read's bytes are inspected as they come)")
        }
        parser = ClientHelloParser()
        stats = TLSInspectorStats(root: context.stats.root)
    }

    public func makeFilter(worker: Worker) -> any ListenerFilter {
        TLSInspectorFilter(parser: parser, stats: stats, worker: worker.index)
    }

    public var maxReadBytes: Int { parser.maxClientHelloSize }
}
