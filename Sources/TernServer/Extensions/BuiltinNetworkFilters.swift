import TernHTTP
import TernNetwork

/// Every network filter compiled into Tern: the one list the listener compiler looks filters up
/// in (by `typed_config` type URL, then by name) and that the `Any` type registry is derived from.
/// A new network filter is one line here.
public enum BuiltinNetworkFilters {
    public static var all: [NetworkFilterRegistration] {
        [
            TCPProxyFilterFactory.registration,                              // envoy.filters.network.tcp_proxy
            NetworkRBACFilterFactory.registration(matchers: RBACHTTPMatchers()), // envoy.filters.network.rbac
            NetworkLocalRateLimitFilterFactory.registration,                 // envoy.filters.network.local_ratelimit
            HTTPConnectionManagerFilterFactory.registration(httpFilters: BuiltinHTTPFilters.all),
                                                                             // envoy.filters.network.http_connection_manager
        ]
    }
}
