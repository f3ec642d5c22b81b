import NIOCore

/// Renders one token's value for one record into a buffer. Returns false and writes nothing
/// when the value is missing or empty, so the caller chooses the placeholder (`-`, nothing,
/// or JSON `null`).
enum AccessLogRenderer {
    static func write(_ token: AccessLogToken, _ record: any AccessLogRecord, into buffer: inout ByteBuffer) -> Bool {
        switch token {
        case .literal(let bytes), .constant(let bytes):
            buffer.writeBytes(bytes)
            return true
        case .startTime(let format):
            let start = record.startTime
            format.write(seconds: start.seconds, nanoseconds: start.nanoseconds, into: &buffer)
            return true
        case .requestHeader(let name, let fallback, let maxLength):
            return header(record.requestHeader(name) ?? fallback.flatMap { record.requestHeader($0) },
                          maxLength: maxLength, into: &buffer)
        case .responseHeader(let name, let fallback, let maxLength):
            return header(record.responseHeader(name) ?? fallback.flatMap { record.responseHeader($0) },
                          maxLength: maxLength, into: &buffer)
        case .responseTrailer(let name, let fallback, let maxLength):
            return header(record.responseTrailer(name) ?? fallback.flatMap { record.responseTrailer($0) },
                          maxLength: maxLength, into: &buffer)
        case .string(let field, let maxLength):
            return header(string(field, record), maxLength: maxLength, into: &buffer)
        case .number(let field):
            guard let value = number(field, record) else { return false }
            AccessLogBytes.writeDecimal(value, into: &buffer)
            return true
        case .address(let field, let part):
            return address(address(field, record), part, into: &buffer)
        case .responseFlags:
            return writeFlags(record.responseFlags, into: &buffer)
        case .unimplemented:
            return false
        }
    }

    private static func header(_ value: String?, maxLength: Int?, into buffer: inout ByteBuffer) -> Bool {
        guard let value, !value.isEmpty else { return false }
        AccessLogBytes.write(value, maxLength: maxLength, into: &buffer)
        return true
    }

    private static func string(_ field: AccessLogToken.StringField, _ record: any AccessLogRecord) -> String? {
        switch field {
        case .protocolName: record.protocolName
        case .responseCodeDetails: record.responseCodeDetails
        case .upstreamHost: record.upstreamHost
        case .upstreamCluster: record.upstreamCluster
        case .routeName: record.routeName
        case .upstreamTransportFailureReason: record.upstreamTransportFailureReason
        case .connectionTerminationDetails: record.connectionTerminationDetails
        case .requestedServerName: record.requestedServerName
        }
    }

    /// Durations in whole milliseconds, as Envoy prints them.
    private static func number(_ field: AccessLogToken.NumberField, _ record: any AccessLogRecord) -> UInt64? {
        switch field {
        case .responseCode: UInt64(max(0, record.responseCode))
        case .bytesReceived: record.bytesReceived
        case .bytesSent: record.bytesSent
        case .duration: UInt64(max(0, record.durationNanoseconds / 1_000_000))
        case .responseDuration: record.responseDurationNanoseconds.map { UInt64(max(0, $0 / 1_000_000)) }
        }
    }

    private static func address(_ field: AccessLogToken.AddressField, _ record: any AccessLogRecord) -> SocketAddress? {
        switch field {
        case .upstreamLocal: record.upstreamLocalAddress
        case .downstreamRemote: record.downstreamRemoteAddress
        case .downstreamDirectRemote: record.downstreamDirectRemoteAddress
        case .downstreamLocal: record.downstreamLocalAddress
        }
    }

    /// `ip:port`, `[v6]:port`, the bare IP, or the port, as Envoy prints addresses.
    private static func address(_ address: SocketAddress?, _ part: AccessLogToken.AddressPart,
                                into buffer: inout ByteBuffer) -> Bool {
        guard let address else { return false }
        switch address {
        case .unixDomainSocket:
            guard part != .portOnly, let path = address.pathname else { return false }
            buffer.writeString(path)
            return true
        case .v4, .v6:
            guard let ip = address.ipAddress, let port = address.port else { return false }
            switch part {
            case .portOnly:
                AccessLogBytes.writeDecimal(UInt64(port), into: &buffer)
            case .withoutPort:
                buffer.writeString(ip)
            case .full:
                if case .v6 = address {
                    buffer.writeInteger(UInt8(ascii: "["))
                    buffer.writeString(ip)
                    buffer.writeInteger(UInt8(ascii: "]"))
                } else {
                    buffer.writeString(ip)
                }
                buffer.writeInteger(UInt8(ascii: ":"))
                AccessLogBytes.writeDecimal(UInt64(port), into: &buffer)
            }
            return true
        }
    }

    /// `UH,UF` in Envoy's order, written without building an array.
    static func writeFlags(_ flags: ResponseFlags, into buffer: inout ByteBuffer) -> Bool {
        guard !flags.isEmpty else { return false }
        var first = true
        for (flag, name) in ResponseFlags.names where flags.contains(flag) {
            if !first { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeString(name)
            first = false
        }
        return true
    }
}
