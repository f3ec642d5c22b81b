import NIOCore

/// A compiled access-log format: Envoy's substitution format string (`text_format`, the file
/// logger's `format`) or format dictionary (`json_format`), parsed once at load into tokens.
/// Formatting appends one line straight into a `ByteBuffer`; no regex, no string building
/// beyond the values themselves. Missing or empty values print `-` (or nothing with
/// `omit_empty_values`), JSON values `null` (or the key is left out).
public struct AccessLogFormat: Sendable {
    enum Body: Sendable {
        case text([AccessLogToken])
        case json(AccessLogJSONNode)
    }

    let body: Body
    let omitEmptyValues: Bool
    /// Envoy commands in the format that Tern prints as `-` for now (load-time warnings).
    public let unimplementedCommands: [String]

    /// Envoy's default format (HTTP and TCP alike), newline included.
    public static let envoyDefaultText = "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
        + "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
        + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
        + "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"\n"

    // swiftlint:disable:next force_try
    public static let envoyDefault = try! AccessLogFormat(text: envoyDefaultText)

    /// Compiles a text format. Throws on a malformed command or an unknown command name.
    public init(text: String, omitEmptyValues: Bool = false) throws(AccessLogError) {
        let parsed = try AccessLogFormatParser.parse(text)
        self.body = .text(parsed.tokens)
        self.omitEmptyValues = omitEmptyValues
        self.unimplementedCommands = parsed.unimplemented
    }

    init(json: AccessLogJSONNode, omitEmptyValues: Bool, unimplementedCommands: [String]) {
        self.body = .json(json)
        self.omitEmptyValues = omitEmptyValues
        self.unimplementedCommands = unimplementedCommands
    }

    /// Appends the formatted line for `record` to `buffer`. Runs on the record's event loop.
    public func write(_ record: any AccessLogRecord, into buffer: inout ByteBuffer) {
        switch body {
        case .text(let tokens):
            for token in tokens { writeText(token, record, into: &buffer) }
        case .json(let node):
            _ = writeJSON(node, record, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
    }

    /// The formatted line as a String (tests, admin; the data path uses `write`).
    public func format(_ record: any AccessLogRecord) -> String {
        var buffer = ByteBuffer()
        write(record, into: &buffer)
        return String(buffer: buffer)
    }

    // MARK: - text

    /// One token in text form; a missing value prints the placeholder.
    private func writeText(_ token: AccessLogToken, _ record: any AccessLogRecord, into buffer: inout ByteBuffer) {
        if !AccessLogRenderer.write(token, record, into: &buffer), !omitEmptyValues {
            buffer.writeInteger(UInt8(ascii: "-"))
        }
    }

    // MARK: - JSON

    /// Writes one JSON value; returns false, writing nothing, when it is null and
    /// `omit_empty_values` asks for the key to be dropped.
    private func writeJSON(_ node: AccessLogJSONNode, _ record: any AccessLogRecord, into buffer: inout ByteBuffer) -> Bool {
        switch node {
        case .constant(let bytes):
            buffer.writeBytes(bytes)
            return true
        case .template(let tokens):
            buffer.writeInteger(UInt8(ascii: "\""))
            let start = buffer.writerIndex
            for token in tokens { writeText(token, record, into: &buffer) }
            AccessLogBytes.escapeJSON(in: &buffer, from: start)
            buffer.writeInteger(UInt8(ascii: "\""))
            return true
        case .typed(let token):
            let mark = buffer.writerIndex
            if token.isNumeric {
                if AccessLogRenderer.write(token, record, into: &buffer) { return true }
            } else {
                buffer.writeInteger(UInt8(ascii: "\""))
                let start = buffer.writerIndex
                if AccessLogRenderer.write(token, record, into: &buffer) {
                    AccessLogBytes.escapeJSON(in: &buffer, from: start)
                    buffer.writeInteger(UInt8(ascii: "\""))
                    return true
                }
                buffer.moveWriterIndex(to: mark)
            }
            if omitEmptyValues { return false }
            buffer.writeBytes(AccessLogBytes.null)
            return true
        case .object(let entries):
            buffer.writeInteger(UInt8(ascii: "{"))
            var first = true
            for entry in entries {
                let mark = buffer.writerIndex
                if !first { buffer.writeInteger(UInt8(ascii: ",")) }
                buffer.writeBytes(entry.key)
                buffer.writeInteger(UInt8(ascii: ":"))
                if writeJSON(entry.value, record, into: &buffer) {
                    first = false
                } else {
                    buffer.moveWriterIndex(to: mark)
                }
            }
            buffer.writeInteger(UInt8(ascii: "}"))
            return true
        }
    }
}
