// curl over HTTPS: the server name resolves to 127.0.0.1 (`--resolve`), so SNI and certificate
// checks use a real name; ALPN offers h2 and http/1.1 (`--http2`) or only http/1.1.

import Foundation

extension Curl {
    /// One HTTPS request to `https://<serverName>:<port><path>`, trusting `caCertificate`
    /// (nil: `--insecure`), presenting `client` when given. `http2`: offer h2 by ALPN.
    public static func https(
        port: Int, _ path: String = "/", serverName: String = "localhost", caCertificate: String?,
        client: CertificatePair? = nil, http2: Bool = false, headers: [String] = [], extra: [String] = [],
        timeout: Duration = .seconds(15)
    ) async throws -> CurlResponse {
        let curl = try Peer.curl.require()
        let dir = try TemporaryDirectory(prefix: "curl-tls")
        defer { dir.remove() }
        let headerFile = dir.file("headers")
        let bodyFile = dir.file("body")
        var args = ["-sS", http2 ? "--http2" : "--http1.1", "--max-time", String(timeout.components.seconds),
                    "-D", headerFile.path, "-o", bodyFile.path,
                    "--resolve", "\(serverName):\(port):127.0.0.1"]
        if let caCertificate { args += ["--cacert", caCertificate] } else { args.append("--insecure") }
        if let client { args += ["--cert", client.certificate, "--key", client.key] }
        for header in headers { args += ["-H", header] }
        args += extra
        args.append("https://\(serverName):\(port)\(path)")
        let output = try await ProcessRunner.run(curl, args, timeout: timeout + .seconds(5))
        var response = parseHeaderFile((try? String(contentsOf: headerFile, encoding: .utf8)) ?? "")
        response.body = (try? [UInt8](Data(contentsOf: bodyFile))) ?? []
        response.exitCode = output.exitCode
        response.stderr = output.stderrText
        return response
    }
}
