import Foundation
import NIOCore

/// A route's `retry_policy` (route level, else virtual host level), compiled once. What a single
/// request does with it is `RetryState`.
public struct RetryPolicy: Sendable, Equatable {
    /// Envoy's `retry_on` conditions (HTTP and gRPC), as a bit set.
    public struct RetryOn: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let fiveXX = RetryOn(rawValue: 1 << 0)
        public static let gatewayError = RetryOn(rawValue: 1 << 1)
        public static let reset = RetryOn(rawValue: 1 << 2)
        public static let connectFailure = RetryOn(rawValue: 1 << 3)
        public static let retriable4xx = RetryOn(rawValue: 1 << 4)
        public static let retriableStatusCodes = RetryOn(rawValue: 1 << 5)
        public static let refusedStream = RetryOn(rawValue: 1 << 6)
        public static let envoyRateLimited = RetryOn(rawValue: 1 << 7)
        public static let grpcCancelled = RetryOn(rawValue: 1 << 8)
        public static let grpcDeadlineExceeded = RetryOn(rawValue: 1 << 9)
        public static let grpcResourceExhausted = RetryOn(rawValue: 1 << 10)
        public static let grpcUnavailable = RetryOn(rawValue: 1 << 11)
        public static let grpcInternal = RetryOn(rawValue: 1 << 12)

        static let httpNames: [(String, RetryOn)] = [
            ("5xx", .fiveXX), ("gateway-error", .gatewayError), ("reset", .reset),
            ("connect-failure", .connectFailure), ("retriable-4xx", .retriable4xx),
            ("retriable-status-codes", .retriableStatusCodes), ("refused-stream", .refusedStream),
            ("envoy-ratelimited", .envoyRateLimited),
        ]
        static let grpcNames: [(String, RetryOn)] = [
            ("cancelled", .grpcCancelled), ("deadline-exceeded", .grpcDeadlineExceeded),
            ("resource-exhausted", .grpcResourceExhausted), ("unavailable", .grpcUnavailable),
            ("internal", .grpcInternal),
        ]
        static let grpcAny: RetryOn = [.grpcCancelled, .grpcDeadlineExceeded, .grpcResourceExhausted, .grpcUnavailable, .grpcInternal]

        /// Parses a comma-separated list (`x-envoy-retry-on`, `x-envoy-retry-grpc-on`, or the
        /// config's `retry_on`, which takes both kinds). Returns the conditions and the tokens
        /// that were not recognised.
        static func parse(_ list: Substring, http: Bool, grpc: Bool) -> (RetryOn, unknown: [String]) {
            var out: RetryOn = []
            var unknown: [String] = []
            for raw in list.split(separator: ",") {
                let token = raw.trimmingCharacters(in: .whitespaces)
                if token.isEmpty { continue }
                if http, let hit = httpNames.first(where: { $0.0 == token }) {
                    out.insert(hit.1)
                } else if grpc, let hit = grpcNames.first(where: { $0.0 == token }) {
                    out.insert(hit.1)
                } else {
                    unknown.append(token)
                }
            }
            return (out, unknown)
        }
    }

    public var retryOn: RetryOn = []
    /// `num_retries` (1 by default, as in Envoy).
    public var numRetries = 1
    public var perTryTimeout: TimeAmount?
    public var perTryIdleTimeout: TimeAmount?
    public var retriableStatusCodes: [Int] = []
    /// `retry_back_off.base_interval` (25 ms by default).
    public var baseInterval: TimeAmount = .milliseconds(25)
    /// `retry_back_off.max_interval` (10 × base by default).
    public var maxInterval: TimeAmount = .milliseconds(250)
    /// `retry_host_predicate` has `envoy.retry_host_predicates.previous_hosts`.
    public var avoidPreviousHosts = false
    /// `host_selection_retry_max_attempts`: extra host picks when the predicate rejects one.
    public var hostSelectionRetryMaxAttempts = 1

    public init() {}
}
