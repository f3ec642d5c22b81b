/// One compiled piece of an access-log format: literal text or one command operator, with
/// everything that can be worked out at load time (lowercased header names, the time pattern,
/// the host name) already worked out.
enum AccessLogToken: Sendable, Equatable {
    /// A string field of the record.
    enum StringField: Sendable, Equatable {
        case protocolName, responseCodeDetails, upstreamHost, upstreamCluster, routeName
        case upstreamTransportFailureReason, connectionTerminationDetails, requestedServerName
    }

    /// A numeric field of the record; `responseDuration` may be missing.
    enum NumberField: Sendable, Equatable {
        case responseCode, bytesReceived, bytesSent, duration, responseDuration
    }

    /// An address field of the record.
    enum AddressField: Sendable, Equatable {
        case upstreamLocal, downstreamRemote, downstreamDirectRemote, downstreamLocal
    }

    /// How much of an address to print.
    enum AddressPart: Sendable, Equatable {
        case full, withoutPort, portOnly
    }

    case literal([UInt8])
    case startTime(AccessLogTimeFormat)
    /// `%REQ(X?Y):Z%`: header `X`, else `Y`, cut to `Z` bytes.
    case requestHeader(String, fallback: String?, maxLength: Int?)
    case responseHeader(String, fallback: String?, maxLength: Int?)
    case responseTrailer(String, fallback: String?, maxLength: Int?)
    case string(StringField, maxLength: Int?)
    case number(NumberField)
    case address(AddressField, AddressPart)
    case responseFlags
    /// A value fixed for the process (`%HOSTNAME%`).
    case constant([UInt8])
    /// An Envoy command Tern does not implement yet: always missing (`-`).
    case unimplemented(String)

    /// True for values JSON prints as numbers (typed `json_format`).
    var isNumeric: Bool {
        if case .number = self { return true }
        return false
    }

    /// The commands with no argument, by Envoy name.
    static let simpleCommands: [String: AccessLogToken] = [
        "RESPONSE_CODE": .number(.responseCode),
        "BYTES_RECEIVED": .number(.bytesReceived),
        "BYTES_SENT": .number(.bytesSent),
        "DURATION": .number(.duration),
        "RESPONSE_DURATION": .number(.responseDuration),
        "RESPONSE_FLAGS": .responseFlags,
        "PROTOCOL": .string(.protocolName, maxLength: nil),
        "RESPONSE_CODE_DETAILS": .string(.responseCodeDetails, maxLength: nil),
        "UPSTREAM_HOST": .string(.upstreamHost, maxLength: nil),
        "UPSTREAM_REMOTE_ADDRESS": .string(.upstreamHost, maxLength: nil),
        "UPSTREAM_CLUSTER": .string(.upstreamCluster, maxLength: nil),
        "ROUTE_NAME": .string(.routeName, maxLength: nil),
        "UPSTREAM_TRANSPORT_FAILURE_REASON": .string(.upstreamTransportFailureReason, maxLength: nil),
        "CONNECTION_TERMINATION_DETAILS": .string(.connectionTerminationDetails, maxLength: nil),
        "REQUESTED_SERVER_NAME": .string(.requestedServerName, maxLength: nil),
        "UPSTREAM_LOCAL_ADDRESS": .address(.upstreamLocal, .full),
        "UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT": .address(.upstreamLocal, .withoutPort),
        "UPSTREAM_LOCAL_PORT": .address(.upstreamLocal, .portOnly),
        "DOWNSTREAM_REMOTE_ADDRESS": .address(.downstreamRemote, .full),
        "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT": .address(.downstreamRemote, .withoutPort),
        "DOWNSTREAM_REMOTE_PORT": .address(.downstreamRemote, .portOnly),
        // Without PROXY protocol support the direct peer is the remote peer.
        "DOWNSTREAM_DIRECT_REMOTE_ADDRESS": .address(.downstreamDirectRemote, .full),
        "DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT": .address(.downstreamDirectRemote, .withoutPort),
        "DOWNSTREAM_LOCAL_ADDRESS": .address(.downstreamLocal, .full),
        "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT": .address(.downstreamLocal, .withoutPort),
        "DOWNSTREAM_LOCAL_PORT": .address(.downstreamLocal, .portOnly),
    ]

    /// Envoy commands that parse but print `-` in Tern for now (a warning names them at load).
    static let knownUnimplemented: Set<String> = [
        "DOWNSTREAM_PEER_URI_SAN", "DOWNSTREAM_LOCAL_URI_SAN",
        "DOWNSTREAM_PEER_SUBJECT", "DOWNSTREAM_LOCAL_SUBJECT", "DOWNSTREAM_PEER_ISSUER",
        "DOWNSTREAM_TLS_VERSION", "DOWNSTREAM_TLS_CIPHER", "DOWNSTREAM_TLS_SESSION_ID",
        "DOWNSTREAM_PEER_FINGERPRINT_256", "DOWNSTREAM_PEER_CERT", "DOWNSTREAM_TRANSPORT_FAILURE_REASON",
        "UPSTREAM_REQUEST_ATTEMPT_COUNT", "UPSTREAM_PROTOCOL", "UPSTREAM_CONNECTION_ID",
        "REQUEST_DURATION", "REQUEST_TX_DURATION", "RESPONSE_TX_DURATION",
        "DYNAMIC_METADATA", "CLUSTER_METADATA", "UPSTREAM_METADATA", "FILTER_STATE", "UPSTREAM_FILTER_STATE",
        "GRPC_STATUS", "GRPC_STATUS_NUMBER", "FILTER_CHAIN_NAME", "STREAM_ID", "CONNECTION_ID",
        "VIRTUAL_CLUSTER_NAME", "REQ_WITHOUT_QUERY", "RESPONSE_FLAGS_LONG", "ENVIRONMENT",
        "REQUEST_HEADERS_BYTES", "RESPONSE_HEADERS_BYTES", "RESPONSE_TRAILERS_BYTES",
        "UPSTREAM_WIRE_BYTES_SENT", "UPSTREAM_WIRE_BYTES_RECEIVED", "UPSTREAM_HEADER_BYTES_SENT",
        "UPSTREAM_HEADER_BYTES_RECEIVED", "DOWNSTREAM_WIRE_BYTES_SENT", "DOWNSTREAM_WIRE_BYTES_RECEIVED",
        "DOWNSTREAM_HEADER_BYTES_SENT", "DOWNSTREAM_HEADER_BYTES_RECEIVED", "UNIQUE_ID",
    ]
}
