import Foundation
import NIOCore
import SwiftProtobuf
import TernConfig
import TernHTTP
import TernNetwork
import TernTransport
import TernUpstream

/// Compiles a filter chain's or a cluster's `transport_socket`: `envoy.transport_sockets.tls`
/// with a `DownstreamTlsContext` or `UpstreamTlsContext` becomes a transport socket factory
/// holding BoringSSL contexts built once for the snapshot; `raw_buffer` (or none) is nil.
/// Certificates and keys are read and checked here, so a bad one refuses the whole config.
struct TLSContextCompiler {
    typealias Downstream = Envoy_Extensions_TransportSockets_Tls_V3_DownstreamTlsContext
    typealias Upstream = Envoy_Extensions_TransportSockets_Tls_V3_UpstreamTlsContext
    typealias Common = Envoy_Extensions_TransportSockets_Tls_V3_CommonTlsContext

    static let tlsName = "envoy.transport_sockets.tls"
    static let rawBufferName = "envoy.transport_sockets.raw_buffer"

    /// The `typed_config` types of the TLS transport socket, for the `Any` registry.
    static var configTypes: [any SwiftProtobuf.Message.Type] { [Downstream.self, Upstream.self] }

    let context: CompileContext

    /// What the filter chains' TLS contexts were built from, for the listener's fingerprint: a
    /// reload after certificate files changed swaps the chains in, as a changed config would.
    static func sourceDigest(_ chains: [FilterChainConfig]) -> [UInt8] {
        chains.flatMap { ($0.transportSocket as? DownstreamTLSTransportSocketFactory)?.context.sourceDigest ?? [] }
    }

    /// A filter chain's transport socket; `statPrefix` is the listener's (`listener.<prefix>.ssl.*`).
    func downstream(_ socket: Envoy_Config_Core_V3_TransportSocket, path: String,
                    statPrefix: String) throws -> (any DownstreamTransportSocketFactory)? {
        guard let proto: Downstream = try unpack(socket, path: path) else { return nil }
        let p = "\(path).typed_config"
        if proto.hasRequireSni { context.warn("\(p).require_sni", "not implemented by Tern yet; ignored") }
        if proto.hasSessionTimeout { context.warn("\(p).session_timeout", "not implemented by Tern yet; ignored") }
        if proto.preferClientCiphers { context.warn("\(p).prefer_client_ciphers", "not implemented by Tern yet; ignored") }
        let spec = try common(proto.commonTlsContext, path: "\(p).common_tls_context")
        let scope = context.stats.root.scope("listener.", tag: "envoy_listener_address", value: statPrefix)
        let server = try TLSServerContext(spec: spec, requireClientCertificate: proto.requireClientCertificate.value,
                                          stats: TLSStats(scope: scope))
        return DownstreamTLSTransportSocketFactory(context: server)
    }

    /// A cluster's transport socket; `statName` is the cluster's (`cluster.<name>.ssl.*`).
    func upstream(_ socket: Envoy_Config_Core_V3_TransportSocket, path: String,
                  statName: String) throws -> (any UpstreamTransportSocketFactory)? {
        guard let proto: Upstream = try unpack(socket, path: path) else { return nil }
        let p = "\(path).typed_config"
        if proto.allowRenegotiation { context.warn("\(p).allow_renegotiation", "not implemented by Tern yet; ignored") }
        if proto.hasMaxSessionKeys, proto.maxSessionKeys.value > 0 {
            context.warn("\(p).max_session_keys", "Tern does not resume upstream TLS sessions yet; ignored")
        }
        guard proto.sni.utf8.count <= 255 else { throw CompileError("\(p).sni", "longer than 255 bytes") }
        var sni: String? = proto.sni.isEmpty ? nil : proto.sni
        if let name = sni, (try? SocketAddress(ipAddress: name, port: 0)) != nil {
            context.warn("\(p).sni", "an IP address cannot be sent as SNI by Tern; no SNI is sent")
            sni = nil
        }
        let spec = try common(proto.commonTlsContext, path: "\(p).common_tls_context")
        if spec.certificates.count > 1 {
            throw CompileError("\(p).common_tls_context.tls_certificates", "a client TLS context takes one certificate")
        }
        let scope = context.stats.root.scope("cluster.", tag: "envoy_cluster_name", value: statName)
        let client = try TLSClientContext(spec: spec, serverName: sni, autoHostSNI: proto.autoHostSni,
                                          autoSNISANValidation: proto.autoSniSanValidation, stats: TLSStats(scope: scope))
        return UpstreamTLSTransportSocketFactory(context: client)
    }

    /// The TLS context in `socket`, nil for raw_buffer; other transport sockets are refused
    /// (serving plaintext where TLS was asked for would be worse than refusing the config).
    private func unpack<M: SwiftProtobuf.Message>(_ socket: Envoy_Config_Core_V3_TransportSocket, path: String) throws -> M? {
        let typed: Google_Protobuf_Any? = if case .typedConfig(let any)? = socket.configType { any } else { nil }
        let typeName = typed.map { $0.typeURL.split(separator: "/").last.map(String.init) ?? $0.typeURL }
        if typed == nil, socket.name == Self.rawBufferName || socket.name.isEmpty { return nil }
        if typeName == nil, socket.name != Self.tlsName {
            throw CompileError("\(path).name", "unknown transport socket '\(socket.name)'")
        }
        if let typeName, typeName != M.protoMessageName {
            let known = Self.configTypes.map { $0.protoMessageName }
            throw CompileError("\(path).typed_config", known.contains(typeName)
                ? "'\(typeName)' does not belong here: expected '\(M.protoMessageName)'"
                : "unknown transport socket type '\(typeName)'")
        }
        guard let typed else { return M() }
        do {
            return try M(unpackingAny: typed)
        } catch {
            throw CompileError("\(path).typed_config", "\(error)")
        }
    }
}
