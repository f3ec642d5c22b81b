/// Known fields that Tern parses but does not act on yet, by fully qualified proto field name.
///
/// When one of these is set in a configuration (present with a non-default value; for a message,
/// present at all) the loader emits one `ConfigWarning.notImplemented` naming its input path, and
/// nothing below that field is reported again. Remove an entry in the change that implements it.
///
/// Fields that can only be reached through an entry already listed here (e.g. the fields of
/// `OutlierDetection`) are not listed themselves. Pure labels with no behaviour (names) are treated
/// as implemented. A test checks that every entry names a real field of `proto/`.
package enum UnimplementedFields {
    /// The set, keyed like `envoy.config.cluster.v3.Cluster.outlier_detection`.
    package static let all: Set<String> = bootstrap.union(core).union(listener).union(route)
        .union(cluster).union(endpoint).union(httpConnectionManager).union(tcpProxy)
        .union(router).union(accessLog)

    /// Whether `fullName` (`<message full name>.<field name>`) is known but not implemented.
    package static func contains(_ fullName: String) -> Bool {
        all.contains(fullName)
    }

    // MARK: - envoy.config.bootstrap.v3

    private static let bootstrap: Set<String> = [
        "envoy.config.bootstrap.v3.Bootstrap.dynamic_resources",
        "envoy.config.bootstrap.v3.Bootstrap.cluster_manager",
        "envoy.config.bootstrap.v3.Bootstrap.stats_flush_interval",
        "envoy.config.bootstrap.v3.Bootstrap.stats_config",
        "envoy.config.bootstrap.v3.Bootstrap.layered_runtime",
        "envoy.config.bootstrap.v3.Admin.profile_path",
        "envoy.config.bootstrap.v3.Admin.socket_options",
        "envoy.config.bootstrap.v3.Admin.access_log",
    ]

    // MARK: - envoy.config.core.v3 (reached through implemented fields)

    private static let core: Set<String> = [
        "envoy.config.core.v3.Node.metadata",
        "envoy.config.core.v3.Node.user_agent_name",
        "envoy.config.core.v3.Node.user_agent_version",
        "envoy.config.core.v3.Node.client_features",
        "envoy.config.core.v3.Address.pipe",
        "envoy.config.core.v3.SocketAddress.protocol",
        "envoy.config.core.v3.SocketAddress.named_port",
        "envoy.config.core.v3.SocketAddress.resolver_name",
        "envoy.config.core.v3.SocketAddress.ipv4_compat",
        // Runtime overrides need layered_runtime; the default values are honoured.
        "envoy.config.core.v3.RuntimeFractionalPercent.runtime_key",
        // HCM and cluster common_http_protocol_options: only idle_timeout and
        // max_requests_per_connection are implemented.
        "envoy.config.core.v3.HttpProtocolOptions.max_headers_count",
        "envoy.config.core.v3.HttpProtocolOptions.max_connection_duration",
        "envoy.config.core.v3.HttpProtocolOptions.max_stream_duration",
        "envoy.config.core.v3.HttpProtocolOptions.headers_with_underscores_action",
        // HCM http_protocol_options: only accept_http_10 is implemented.
        "envoy.config.core.v3.Http1ProtocolOptions.allow_absolute_url",
        "envoy.config.core.v3.Http1ProtocolOptions.default_host_for_http_10",
        "envoy.config.core.v3.Http1ProtocolOptions.header_key_format",
        "envoy.config.core.v3.Http1ProtocolOptions.enable_trailers",
        "envoy.config.core.v3.Http1ProtocolOptions.allow_chunked_length",
        "envoy.config.core.v3.Http1ProtocolOptions.override_stream_error_on_invalid_http_message",
        // HCM http2_protocol_options: max_concurrent_streams, the two initial window sizes and
        // the five flood limits are implemented (downstream h2c); the other knobs are not.
        "envoy.config.core.v3.Http2ProtocolOptions.hpack_table_size",
        "envoy.config.core.v3.Http2ProtocolOptions.allow_connect",
        "envoy.config.core.v3.Http2ProtocolOptions.stream_error_on_invalid_http_messaging",
        "envoy.config.core.v3.Http2ProtocolOptions.override_stream_error_on_invalid_http_message",
        "envoy.config.core.v3.Http2ProtocolOptions.connection_keepalive",
        // Access-log formats: text only.
        "envoy.config.core.v3.SubstitutionFormatString.json_format",
        "envoy.config.core.v3.SubstitutionFormatString.text_format_source",
        "envoy.config.core.v3.SubstitutionFormatString.omit_empty_values",
        "envoy.config.core.v3.SubstitutionFormatString.content_type",
        "envoy.type.matcher.v3.RegexMatcher.GoogleRE2.max_program_size",
    ]

    // MARK: - envoy.config.listener.v3

    private static let listener: Set<String> = [
        "envoy.config.listener.v3.Listener.use_original_dst",
        "envoy.config.listener.v3.Listener.metadata",
        "envoy.config.listener.v3.Listener.drain_type",
        "envoy.config.listener.v3.Listener.transparent",
        "envoy.config.listener.v3.Listener.freebind",
        "envoy.config.listener.v3.Listener.socket_options",
        "envoy.config.listener.v3.Listener.tcp_fast_open_queue_length",
        "envoy.config.listener.v3.Listener.connection_balance_config",
        "envoy.config.listener.v3.Listener.bind_to_port",
        "envoy.config.listener.v3.AdditionalAddress.socket_options",
        "envoy.config.listener.v3.FilterChain.metadata",
        "envoy.config.listener.v3.FilterChain.transport_socket_connect_timeout",
        "envoy.config.listener.v3.FilterChainMatch.address_suffix",
        "envoy.config.listener.v3.FilterChainMatch.suffix_len",
    ]

    // MARK: - envoy.config.route.v3

    /// Route matching and actions are implemented; route metadata has no consumer yet.
    private static let route: Set<String> = [
        "envoy.config.route.v3.Route.metadata",
    ]

    // MARK: - envoy.config.cluster.v3

    private static let cluster: Set<String> = [
        "envoy.config.cluster.v3.Cluster.cluster_type",
        "envoy.config.cluster.v3.Cluster.eds_cluster_config",
        "envoy.config.cluster.v3.Cluster.upstream_http_protocol_options",
        // HttpProtocolOptions (typed_extension_protocol_options): the upstream protocol choice and
        // common_http_protocol_options are implemented; auto_sni and friends need TLS.
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions.upstream_http_protocol_options",
        "envoy.config.cluster.v3.Cluster.cleanup_interval",
        "envoy.config.cluster.v3.Cluster.upstream_bind_config",
        "envoy.config.cluster.v3.Cluster.original_dst_lb_config",
        "envoy.config.cluster.v3.Cluster.metadata",
        "envoy.config.cluster.v3.Cluster.upstream_connection_options",
        "envoy.config.cluster.v3.Cluster.close_connections_on_host_health_failure",
        "envoy.config.cluster.v3.Cluster.ignore_health_on_host_removal",
    ]

    // MARK: - envoy.config.endpoint.v3

    private static let endpoint: Set<String> = [
        "envoy.config.endpoint.v3.Endpoint.hostname",
    ]

    // MARK: - envoy.extensions.filters.network.http_connection_manager.v3

    private static let httpConnectionManager: Set<String> = [
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.rds",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.add_user_agent",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.tracing",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.request_headers_timeout",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.delayed_close_timeout",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.forward_client_cert_details",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.set_current_client_cert_details",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.normalize_path",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.merge_slashes",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.path_with_escaped_slashes_action",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.local_reply_config",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.stream_error_on_invalid_http_message",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.UpgradeConfig.filters",
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter.disabled",
    ]

    // MARK: - envoy.extensions.filters.network.tcp_proxy.v3

    private static let tcpProxy: Set<String> = [
        "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.metadata_match",
        "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.downstream_idle_timeout",
        "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.upstream_idle_timeout",
        "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.tunneling_config",
        "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.max_downstream_connection_duration",
        "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.ClusterWeight.metadata_match",
    ]

    // MARK: - envoy.extensions.filters.http.router.v3

    private static let router: Set<String> = [
        "envoy.extensions.filters.http.router.v3.Router.dynamic_stats",
        "envoy.extensions.filters.http.router.v3.Router.start_child_span",
        "envoy.extensions.filters.http.router.v3.Router.upstream_log",
        "envoy.extensions.filters.http.router.v3.Router.suppress_envoy_headers",
        "envoy.extensions.filters.http.router.v3.Router.strict_check_headers",
        "envoy.extensions.filters.http.router.v3.Router.respect_expected_rq_timeout",
        "envoy.extensions.filters.http.router.v3.Router.suppress_grpc_request_failure_code_stats",
    ]

    // MARK: - access logs

    private static let accessLog: Set<String> = [
        "envoy.config.accesslog.v3.AccessLog.filter",
        "envoy.extensions.access_loggers.file.v3.FileAccessLog.json_format",
        "envoy.extensions.access_loggers.file.v3.FileAccessLog.typed_json_format",
    ]
}
