import TernNetwork

/// Every listener filter compiled into Tern: the list the listener compiler looks
/// `listener_filters` up in (by `typed_config` type URL, then by name) and that the `Any` type
/// registry is derived from. A new listener filter is one line here.
public enum BuiltinListenerFilters {
    public static var all: [ListenerFilterRegistration] {
        [
            TLSInspectorFilterFactory.registration,   // envoy.filters.listener.tls_inspector
            HTTPInspectorFilterFactory.registration,  // envoy.filters.listener.http_inspector
        ]
    }
}
