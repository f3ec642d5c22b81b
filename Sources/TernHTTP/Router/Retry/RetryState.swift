import Foundation
import NIOHTTP1

/// The retry bookkeeping of one request (Envoy's `RetryStateImpl`) as a plain value: which
/// outcomes an attempt may be retried on, how many retries are left and the next back-off.
/// The router owns one per request whose route (or headers) ask for retries; circuit breakers
/// and stats stay with the router, so this is testable alone.
struct RetryState {
    /// How an attempt failed before any response byte went downstream.
    enum Reset: Equatable {
        /// The connection could not be made (refused, unreachable, connect timeout).
        case connectFailure
        /// The upstream closed or reset the connection, or spoke bad HTTP.
        case remoteReset
        /// The upstream refused the stream (HTTP/2 REFUSED_STREAM, or above a GOAWAY's last
        /// stream id): it was never processed.
        case refusedStream
        /// Tern gave up on the attempt (`per_try_timeout`).
        case localReset
        /// A circuit breaker refused the attempt: never retried.
        case overflow
    }

    private(set) var retryOn: RetryPolicy.RetryOn
    private(set) var retriesRemaining: Int
    private(set) var retriableStatusCodes: [Int]
    private var nextIntervalMs: Int64
    private let maxIntervalMs: Int64

    /// The state for a request, or nil when neither the route nor the request asks for retries.
    /// Reads Envoy's `x-envoy-retry-on`, `x-envoy-retry-grpc-on`, `x-envoy-max-retries` and
    /// `x-envoy-retriable-status-codes`, and removes them (with the per-try timeout header) so they
    /// are not forwarded, as Envoy does.
    init?(policy: RetryPolicy?, headers: inout HTTPHeaders) {
        let retryOnHeader = headers.first(name: "x-envoy-retry-on")
        let grpcOnHeader = headers.first(name: "x-envoy-retry-grpc-on")
        let maxRetriesHeader = headers.first(name: "x-envoy-max-retries")
        let codesHeader = headers.first(name: "x-envoy-retriable-status-codes")
        for name in ["x-envoy-retry-on", "x-envoy-retry-grpc-on", "x-envoy-max-retries", "x-envoy-retriable-status-codes"]
        where headers.contains(name: name) {
            headers.remove(name: name)
        }
        let p = policy ?? RetryPolicy()
        guard !p.retryOn.isEmpty || retryOnHeader != nil || grpcOnHeader != nil else { return nil }
        retryOn = p.retryOn
        retriesRemaining = p.numRetries
        retriableStatusCodes = p.retriableStatusCodes
        nextIntervalMs = max(1, p.baseInterval.nanoseconds / 1_000_000)
        maxIntervalMs = max(nextIntervalMs, p.maxInterval.nanoseconds / 1_000_000)
        if let retryOnHeader { retryOn.formUnion(RetryPolicy.RetryOn.parse(Substring(retryOnHeader), http: true, grpc: false).0) }
        if let grpcOnHeader { retryOn.formUnion(RetryPolicy.RetryOn.parse(Substring(grpcOnHeader), http: false, grpc: true).0) }
        // The header replaces num_retries, but only when something is to be retried at all.
        if !retryOn.isEmpty, let maxRetriesHeader, let n = Int(maxRetriesHeader.trimmingCharacters(in: .whitespaces)), n >= 0 {
            retriesRemaining = n
        }
        if let codesHeader {
            retriableStatusCodes += codesHeader.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
    }

    /// Whether the request may carry retry headers: a cheap scan so a request on a route without
    /// a retry policy pays for no more than one pass over header names.
    static func requestMayAsk(_ headers: HTTPHeaders) -> Bool {
        // `contains` walks the block without copying a string (iterating would retain each value).
        headers.contains(name: "x-envoy-retry-on") || headers.contains(name: "x-envoy-retry-grpc-on")
    }

    /// Whether a response with this head is worth another attempt (before any limit).
    func wouldRetry(_ head: HTTPResponseHead) -> Bool {
        // An upstream Envoy that shed the request says so; retrying would only add load.
        if head.headers.contains(name: "x-envoy-overloaded") { return false }
        if head.headers.contains(name: "x-envoy-ratelimited") { return retryOn.contains(.envoyRateLimited) }
        let code = Int(head.status.code)
        if retryOn.contains(.fiveXX), (500...599).contains(code) { return true }
        if retryOn.contains(.gatewayError), (502...504).contains(code) { return true }
        if retryOn.contains(.retriable4xx), code == 409 { return true }
        if retryOn.contains(.retriableStatusCodes), retriableStatusCodes.contains(code) { return true }
        if !retryOn.isDisjoint(with: RetryPolicy.RetryOn.grpcAny),
           let value = head.headers.first(name: "grpc-status"), let status = Int(value) {
            switch status {
            case 1: return retryOn.contains(.grpcCancelled)
            case 4: return retryOn.contains(.grpcDeadlineExceeded)
            case 8: return retryOn.contains(.grpcResourceExhausted)
            case 13: return retryOn.contains(.grpcInternal)
            case 14: return retryOn.contains(.grpcUnavailable)
            default: return false
            }
        }
        return false
    }

    /// Whether a failed attempt without response headers is worth another attempt.
    func wouldRetry(_ reset: Reset) -> Bool {
        switch reset {
        case .overflow: return false
        case .connectFailure:
            return !retryOn.isDisjoint(with: [.fiveXX, .gatewayError, .reset, .connectFailure])
        case .remoteReset, .localReset:
            // Envoy counts a reset as a 5xx: the client would get one.
            return !retryOn.isDisjoint(with: [.fiveXX, .gatewayError, .reset])
        case .refusedStream:
            return !retryOn.isDisjoint(with: [.fiveXX, .gatewayError, .reset, .refusedStream])
        }
    }

    /// Takes one retry from the allowance; false when it is used up.
    mutating func consumeRetry() -> Bool {
        guard retriesRemaining > 0 else { return false }
        retriesRemaining -= 1
        return true
    }

    /// Envoy's fully jittered exponential back-off: uniform in [0, interval) where the interval
    /// starts at the base and doubles per retry up to the maximum.
    mutating func nextBackOffMs(random: UInt64) -> Int64 {
        let interval = nextIntervalMs
        nextIntervalMs = min(interval &* 2, maxIntervalMs)
        if nextIntervalMs <= 0 { nextIntervalMs = maxIntervalMs }
        return min(Int64(random % UInt64(interval)), maxIntervalMs)
    }
}
