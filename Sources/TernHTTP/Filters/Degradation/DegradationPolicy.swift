import SwiftProtobuf
import TernConfig

/// A route's compiled `DegradationPerRoute`: when the route's cluster cannot serve, what it
/// answers instead. Immutable; shared by every worker.
struct DegradationPolicy: Sendable {
    typealias Proto = Tern_Extensions_Filters_Http_Degradation_V3_DegradationPerRoute

    enum Fallback: Sendable {
        /// Answer locally with this status and body.
        case directResponse(status: Int, body: String)
        /// Forward to this cluster instead of the route's.
        case cluster(String)
    }

    let onNoHealthyUpstream: Bool
    let onCircuitOpen: Bool
    let fallback: Fallback
    let responseHeaders: HeaderMutations

    init(proto: Proto, path: String, context: CompileContext) throws {
        let triggers = Set(proto.triggers)
        onNoHealthyUpstream = triggers.isEmpty || triggers.contains(.noHealthyUpstream)
        onCircuitOpen = triggers.isEmpty || triggers.contains(.circuitOpen)
        switch proto.fallback {
        case .directResponse(let d)?:
            guard (200...599).contains(d.status) else {
                throw CompileError(path + ".direct_response.status", "must be between 200 and 599, got \(d.status)")
            }
            let body = d.hasBody ? try RouteConfigCompiler.readDataSource(d.body, path: path + ".direct_response.body") : ""
            fallback = .directResponse(status: Int(d.status), body: body)
        case .cluster(let name)?:
            guard !name.isEmpty else { throw CompileError(path + ".cluster", "the fallback cluster name must not be empty") }
            guard context.clusterNames.contains(name) else {
                throw CompileError(path + ".cluster", "fallback cluster '\(name)' is not defined")
            }
            fallback = .cluster(name)
        case nil:
            throw CompileError(path, "one of direct_response or cluster is required")
        }
        responseHeaders = try HeaderMutations(add: proto.responseHeadersToAdd, remove: [],
                                              path: path + ".response_headers_to_add", context: context)
    }
}
