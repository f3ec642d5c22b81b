// A TLS upstream in its own process, on Python's `ssl` module (OpenSSL, not BoringSSL): either an
// HTTP/1.1 server that answers every GET with 200 and reports what the handshake carried
// (`x-sni`, `x-client-cn`, `x-alpn`), or a byte echo for tcp_proxy. With `clientCA` it requires
// a client certificate signed by that CA.

import Foundation

/// A Python TLS server on 127.0.0.1.
public final class PythonTLSServer: Sendable {
    public enum Mode: String, Sendable {
        case http, echo
    }

    public let port: Int
    private let directory: TemporaryDirectory
    private let child: ChildProcess

    static let script = """
    import http.server, socket, ssl, sys, threading
    mode, cert, key, ca = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2", "http/1.1"] if mode == "http-h2" else ["http/1.1"])
    if ca:
        ctx.load_verify_locations(ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    names = {}
    def on_sni(sock, name, context):
        try:
            names[sock.getpeername()] = name or ""
        except Exception:
            pass
    ctx.sni_callback = on_sni
    def client_cn(conn):
        cert = conn.getpeercert()
        if not cert:
            return "none"
        for rdn in cert.get("subject", ()):
            for k, v in rdn:
                if k == "commonName":
                    return v
        return "none"
    if mode == "echo":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        print(listener.getsockname()[1], flush=True)
        def serve(conn):
            try:
                tls = ctx.wrap_socket(conn, server_side=True)
                while True:
                    data = tls.recv(65536)
                    if not data:
                        break
                    tls.sendall(data)
                tls.close()
            except Exception:
                conn.close()
        while True:
            c, _ = listener.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            body = b"tls ok"
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.send_header("x-sni", names.get(self.client_address, ""))
            self.send_header("x-client-cn", client_cn(self.connection))
            self.send_header("x-alpn", self.connection.selected_alpn_protocol() or "")
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    class S(http.server.ThreadingHTTPServer):
        allow_reuse_address = True
        daemon_threads = True
    s = S(("127.0.0.1", 0), H)
    s.socket = ctx.wrap_socket(s.socket, server_side=True)
    print(s.server_address[1], flush=True)
    s.serve_forever()
    """

    private init(port: Int, directory: TemporaryDirectory, child: ChildProcess) {
        self.port = port
        self.directory = directory
        self.child = child
    }

    /// Starts the server and waits until it listens.
    public static func start(_ mode: Mode, server: CertificatePair, clientCA: String? = nil) async throws -> PythonTLSServer {
        let python = try Peer.python.require()
        let dir = try TemporaryDirectory(prefix: "py-tls")
        let out = dir.file("stdout")
        let child = try ChildProcess.spawn(
            python, ["-c", script, mode.rawValue, server.certificate, server.key, clientCA ?? ""],
            stdout: out, stderr: dir.file("stderr"))
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: out, encoding: .utf8),
               let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return PythonTLSServer(port: bound, directory: dir, child: child)
            }
            if !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.send(signal: SIGKILL)
        let err = (try? String(contentsOf: dir.file("stderr"), encoding: .utf8)) ?? ""
        throw HarnessError("python TLS server did not start: \(err)")
    }

    /// Stops the process and removes its files.
    public func stop() async {
        child.send(signal: SIGKILL)
        _ = await child.wait(timeout: .seconds(10))
        directory.remove()
    }
}
