// curl as the everyday HTTP/1.1 client: a real, widely deployed client that tests drive Tern with.

import Foundation

/// A response as curl received it.
public struct CurlResponse: Sendable, CustomStringConvertible {
    /// The final status (0 when curl got none).
    public var status: Int
    /// The final response's headers.
    public var headers: HeaderFields
    /// Statuses of the 1xx responses before it, such as 100 for `Expect: 100-continue`.
    public var informational: [Int]
    /// The status line's version, e.g. "HTTP/1.1".
    public var version: String
    public var body: [UInt8]
    /// curl's exit code: 0 on success, 18 for a body cut short, 52 for no reply, 56 for a reset.
    public var exitCode: Int32
    public var stderr: String

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body decoded as an `.echo` upstream's JSON.
    public func echoed() throws -> EchoedRequest {
        do {
            return try EchoedRequest.decode(body)
        } catch {
            throw HarnessError("not an echo body (status \(status)): \(bodyText.prefix(300))")
        }
    }

    public var description: String {
        "curl exit \(exitCode), \(version) \(status)\n\(headers)\n\n\(bodyText.prefix(500))\(stderr)"
    }
}

/// Runs curl.
public enum Curl {
    /// Sends one HTTP/1.1 request to `http://127.0.0.1:<port><path>` (HTTP/2 over cleartext with
    /// prior knowledge when `http2` is set). `extra` is passed to curl as is (e.g.
    /// `["-H", "host: example.com"]`, `["--http1.0"]`).
    public static func request(
        port: Int, _ path: String = "/", method: String? = nil, headers: [String] = [],
        body: [UInt8]? = nil, extra: [String] = [], http2: Bool = false, timeout: Duration = .seconds(15)
    ) async throws -> CurlResponse {
        let curl = try Peer.curl.require()
        let dir = try TemporaryDirectory(prefix: "curl")
        defer { dir.remove() }
        let headerFile = dir.file("headers")
        let bodyFile = dir.file("body")
        var args = ["-sS", http2 ? "--http2-prior-knowledge" : "--http1.1", "--max-time", String(timeout.components.seconds),
                    "-D", headerFile.path, "-o", bodyFile.path]
        if let method { args += ["-X", method] }
        for header in headers { args += ["-H", header] }
        if let body {
            let upload = dir.file("upload")
            try Data(body).write(to: upload)
            args += ["--data-binary", "@\(upload.path)"]
        }
        args += extra
        args.append("http://127.0.0.1:\(port)\(path)")
        let output = try await ProcessRunner.run(curl, args, timeout: timeout + .seconds(5))
        var response = parseHeaderFile((try? String(contentsOf: headerFile, encoding: .utf8)) ?? "")
        response.body = (try? [UInt8](Data(contentsOf: bodyFile))) ?? []
        response.exitCode = output.exitCode
        response.stderr = output.stderrText
        return response
    }

    /// GET shorthand.
    public static func get(port: Int, _ path: String = "/", headers: [String] = []) async throws -> CurlResponse {
        try await request(port: port, path, headers: headers)
    }

    /// Runs curl with `arguments` exactly as given and returns its output.
    public static func run(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> ProcessOutput {
        try await ProcessRunner.run(try Peer.curl.require(), arguments, timeout: timeout)
    }

    /// Splits curl's `-D` dump (every response head, 1xx included) and keeps the last as final.
    static func parseHeaderFile(_ text: String) -> CurlResponse {
        var response = CurlResponse(
            status: 0, headers: HeaderFields(), informational: [], version: "", body: [], exitCode: 0, stderr: "")
        let blocks = text.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }
        for (index, block) in blocks.enumerated() {
            let lines = block.components(separatedBy: "\r\n")
            let statusLine = lines[0].split(separator: " ")
            let status = statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0
            if index < blocks.count - 1 {
                response.informational.append(status)
                continue
            }
            response.status = status
            response.version = statusLine.first.map(String.init) ?? ""
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                response.headers.append(
                    String(line[..<colon]),
                    line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
        }
        return response
    }
}
