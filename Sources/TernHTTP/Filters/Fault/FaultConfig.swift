import Foundation
import NIOHTTP1
import TernConfig

/// A compiled `envoy.extensions.filters.http.fault.v3.HTTPFault` (Envoy's `FaultSettings`): the
/// filter's own config, or a route's `typed_per_filter_config` entry, which replaces it whole for
/// that route. Immutable; shared by every worker.
public final class FaultConfig: Sendable {
    /// Where an abort's status comes from.
    enum AbortStatus: Sendable {
        case http(Int)
        case grpc(Int)
        /// `header_abort`: `x-envoy-fault-abort-request` / `x-envoy-fault-abort-grpc-request`.
        case header
    }

    struct Abort: Sendable {
        let status: AbortStatus
        let percentage: FaultPercentage
    }

    /// Where a delay's duration comes from.
    enum DelayDuration: Sendable {
        case fixed(milliseconds: Int64)
        /// `header_delay`: `x-envoy-fault-delay-request`, in milliseconds.
        case header
    }

    struct Delay: Sendable {
        let duration: DelayDuration
        let percentage: FaultPercentage
    }

    let abort: Abort?
    let delay: Delay?
    /// Faults only for requests routed to this cluster.
    let upstreamCluster: String?
    /// Faults only for requests matching all of these.
    let headers: [HeaderMatch]
    /// Faults only for these `x-envoy-downstream-service-node` values (empty: any).
    let downstreamNodes: Set<String>
    /// nil: unlimited.
    let maxActiveFaults: Int64?
    let disableDownstreamClusterStats: Bool

    typealias Proto = Envoy_Extensions_Filters_Http_Fault_V3_HTTPFault

    init(proto p: Proto, path: String, context: CompileContext) throws {
        if p.hasAbort {
            let apath = path + ".abort"
            let status: AbortStatus
            var header: String?
            switch p.abort.errorType {
            case .httpStatus(let code):
                guard (200..<600).contains(code) else {
                    throw CompileError(apath + ".http_status", "must be in [200, 600), got \(code)")
                }
                status = .http(Int(code))
            case .grpcStatus(let code): status = .grpc(Int(code))
            case .headerAbort:
                status = .header
                header = FaultHeaders.abortPercentage
            case nil:
                throw CompileError(apath, "one of http_status, grpc_status, header_abort is required")
            }
            abort = Abort(status: status, percentage: try FaultPercentage(
                proto: p.abort.hasPercentage ? p.abort.percentage : nil, header: header, path: apath + ".percentage"))
        } else {
            abort = nil
        }
        if p.hasDelay {
            let dpath = path + ".delay"
            let duration: DelayDuration
            var header: String?
            switch p.delay.faultDelaySecifier {
            case .fixedDelay(let d):
                guard d.seconds > 0 || (d.seconds == 0 && d.nanos > 0) else {
                    throw CompileError(dpath + ".fixed_delay", "must be greater than 0")
                }
                duration = .fixed(milliseconds: d.seconds * 1000 + Int64(d.nanos / 1_000_000))
            case .headerDelay:
                duration = .header
                header = FaultHeaders.delayPercentage
            case nil:
                throw CompileError(dpath, "one of fixed_delay, header_delay is required")
            }
            delay = Delay(duration: duration, percentage: try FaultPercentage(
                proto: p.delay.hasPercentage ? p.delay.percentage : nil, header: header, path: dpath + ".percentage"))
        } else {
            delay = nil
        }
        upstreamCluster = p.upstreamCluster.isEmpty ? nil : p.upstreamCluster
        headers = try p.headers.enumerated().map { try HeaderMatch(proto: $1, path: "\(path).headers[\($0)]") }
        downstreamNodes = Set(p.downstreamNodes)
        maxActiveFaults = p.hasMaxActiveFaults ? Int64(p.maxActiveFaults.value) : nil
        disableDownstreamClusterStats = p.disableDownstreamClusterStats
        if p.hasResponseRateLimit {
            context.warn(path + ".response_rate_limit", "not implemented by Tern yet; ignored")
        }
        // Tern has no runtime: the runtime keys could only point at values it never has.
        let runtimeKeys: [(String, String)] = [
            ("delay_percent_runtime", p.delayPercentRuntime), ("abort_percent_runtime", p.abortPercentRuntime),
            ("delay_duration_runtime", p.delayDurationRuntime), ("abort_http_status_runtime", p.abortHTTPStatusRuntime),
            ("max_active_faults_runtime", p.maxActiveFaultsRuntime),
            ("response_rate_limit_percent_runtime", p.responseRateLimitPercentRuntime),
            ("abort_grpc_status_runtime", p.abortGrpcStatusRuntime),
        ]
        for (field, value) in runtimeKeys where !value.isEmpty {
            context.warn("\(path).\(field)", "Tern has no runtime; ignored (the configured values apply)")
        }
    }

    // MARK: - per request

    /// The delay for this request, if the delay fault is configured, sampled in, and has a
    /// positive duration (a header delay needs a valid header).
    func delayMilliseconds(_ headers: HTTPHeaders, random: WorkerRandom) -> Int64? {
        guard let delay, delay.percentage.sample(headers, random: random) else { return nil }
        let ms: Int64
        switch delay.duration {
        case .fixed(let v): ms = v
        case .header:
            guard let raw = headers.first(name: FaultHeaders.delayRequest),
                  let v = UInt64(raw.trimmingCharacters(in: .whitespaces)) else { return nil }
            ms = Int64(clamping: v)
        }
        return ms > 0 ? ms : nil
    }

    /// The abort for this request, if the abort fault is configured and sampled in: the HTTP status
    /// and, for a gRPC abort, the gRPC status (the HTTP status is then 200, as in Envoy).
    func abortStatus(_ headers: HTTPHeaders, random: WorkerRandom) -> (http: Int, grpc: Int?)? {
        guard let abort, abort.percentage.sample(headers, random: random) else { return nil }
        switch abort.status {
        case .http(let code): return (code, nil)
        case .grpc(let code): return (200, code)
        case .header:
            // An HTTP status from the header wins over a gRPC one; out-of-range values are ignored.
            if let raw = headers.first(name: FaultHeaders.abortRequest),
               let code = UInt64(raw.trimmingCharacters(in: .whitespaces)), (200..<600).contains(code) {
                return (Int(code), nil)
            }
            if let raw = headers.first(name: FaultHeaders.abortGRPCRequest),
               let code = UInt32(raw.trimmingCharacters(in: .whitespaces)) {
                return (200, Int(code))
            }
            return nil
        }
    }
}

/// The request headers that control header faults (Envoy's `x-envoy-fault-*`).
enum FaultHeaders {
    static let abortRequest = "x-envoy-fault-abort-request"
    static let abortGRPCRequest = "x-envoy-fault-abort-grpc-request"
    static let abortPercentage = "x-envoy-fault-abort-request-percentage"
    static let delayRequest = "x-envoy-fault-delay-request"
    static let delayPercentage = "x-envoy-fault-delay-request-percentage"
    static let downstreamServiceNode = "x-envoy-downstream-service-node"
    static let downstreamServiceCluster = "x-envoy-downstream-service-cluster"
}
