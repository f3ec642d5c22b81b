import SwiftProtobuf
import TernHTTP

/// Every HTTP filter compiled into Tern, handed to the HTTP connection manager's registration
/// (and, through it, to the `Any` type registry). A new HTTP filter is one line here.
public enum BuiltinHTTPFilters {
    public static var all: [HTTPFilterRegistration] {
        [
            RouterFilterFactory.registration,          // envoy.filters.http.router
            CORSFilterFactory.registration,            // envoy.filters.http.cors
            FaultFilterFactory.registration,           // envoy.filters.http.fault
            LocalRateLimitFilterFactory.registration,  // envoy.filters.http.local_ratelimit
            RBACFilterFactory.registration,            // envoy.filters.http.rbac
            DegradationFilterFactory.registration,     // tern.filters.http.degradation
        ]
    }

    /// The `typed_config` types of the HTTP filters, for the `Any` type registry.
    static var configTypes: [any SwiftProtobuf.Message.Type] { all.flatMap(\.allConfigTypes) }
}
