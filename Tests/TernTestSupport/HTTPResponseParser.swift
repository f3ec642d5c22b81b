// A small, strict HTTP/1.x response parser for bytes read off a raw socket: it splits a stream into
// responses (several when requests were pipelined) so tests can check exactly what went on the wire.

import Foundation

/// One response as it arrived.
public struct HTTPResponse: Sendable, CustomStringConvertible {
    /// "HTTP/1.1" or "HTTP/1.0".
    public var version: String
    public var status: Int
    public var reason: String
    public var headers: HeaderFields
    /// The body with any chunked framing removed.
    public var body: [UInt8]
    /// True when the body came with `transfer-encoding: chunked` framing.
    public var isChunked: Bool
    /// The sizes of the chunks, when chunked.
    public var chunkSizes: [Int]

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public var description: String {
        "\(version) \(status) \(reason)\n\(headers)\n\n\(bodyText.prefix(500))"
    }
}

/// Splits response bytes into `HTTPResponse`s.
public enum HTTPResponseParser {
    /// The responses complete in `bytes`, and how many bytes they used. `peerClosed` completes a
    /// final response whose body runs to the end of the connection. `headRequests` lists, by
    /// position, which responses answer HEAD (no body follows their headers).
    public static func parse(
        _ bytes: [UInt8], peerClosed: Bool, headRequests: Set<Int> = []
    ) -> (responses: [HTTPResponse], consumed: Int) {
        var responses: [HTTPResponse] = []
        var offset = 0
        var finalIndex = 0  // counts final (non-1xx) responses, to match headRequests
        while offset < bytes.count,
            let response = parseOne(
                bytes, from: offset, peerClosed: peerClosed, isHead: headRequests.contains(finalIndex))
        {
            responses.append(response.0)
            offset = response.1
            if !(100..<200).contains(response.0.status) { finalIndex += 1 }
        }
        return (responses, offset)
    }

    // MARK: - One response

    private static func parseOne(
        _ bytes: [UInt8], from start: Int, peerClosed: Bool, isHead: Bool
    ) -> (HTTPResponse, Int)? {
        guard let headEnd = find([13, 10, 13, 10], in: bytes, from: start) else { return nil }
        let lines = String(decoding: bytes[start..<headEnd], as: UTF8.self)
            .components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers = HeaderFields()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = HTTPResponse(
            version: String(statusParts[0]), status: status,
            reason: statusParts.count > 2 ? String(statusParts[2]) : "",
            headers: headers, body: [], isChunked: false, chunkSizes: [])
        let bodyStart = headEnd + 4

        if isHead || (100..<200).contains(status) || status == 204 || status == 304 {
            return (response, bodyStart)
        }
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let (body, sizes, end) = parseChunked(bytes, from: bodyStart) else { return nil }
            response.body = body
            response.chunkSizes = sizes
            response.isChunked = true
            return (response, end)
        }
        if let lengthText = headers["content-length"], let length = Int(lengthText) {
            guard bytes.count - bodyStart >= length else { return nil }
            response.body = Array(bytes[bodyStart..<(bodyStart + length)])
            return (response, bodyStart + length)
        }
        // No framing: the body runs until the peer closes.
        guard peerClosed else { return nil }
        response.body = Array(bytes[bodyStart...])
        return (response, bytes.count)
    }

    private static func parseChunked(_ bytes: [UInt8], from start: Int) -> ([UInt8], [Int], Int)? {
        var body: [UInt8] = []
        var sizes: [Int] = []
        var offset = start
        while true {
            guard let lineEnd = find([13, 10], in: bytes, from: offset) else { return nil }
            let sizeText = String(decoding: bytes[offset..<lineEnd], as: UTF8.self)
                .split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            offset = lineEnd + 2
            if size == 0 {
                // Trailers, then the empty line that ends the message.
                while true {
                    guard let end = find([13, 10], in: bytes, from: offset) else { return nil }
                    let empty = end == offset
                    offset = end + 2
                    if empty { return (body, sizes, offset) }
                }
            }
            guard bytes.count >= offset + size + 2 else { return nil }
            body.append(contentsOf: bytes[offset..<(offset + size)])
            sizes.append(size)
            offset += size + 2
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
