// A TLS upstream in its own process: Python's ssl module with a self-signed certificate made at
// start by the openssl CLI in a temporary folder. After each handshake it writes
// `<name>|sni=<server name it saw>|alpn=<protocol it chose>|` and then echoes every byte, so a
// test behind a TLS-passthrough proxy learns which upstream the proxy chose and that the
// client's ClientHello reached it unchanged. Also the TLS client for such tests
// (`PythonTLSEchoServer.exchange`), which can dribble its ClientHello out in small writes.

import Foundation

/// A Python TLS echo upstream on 127.0.0.1.
public final class PythonTLSEchoServer: Sendable {
    public let name: String
    public let port: Int
    private let directory: TemporaryDirectory
    private let child: ChildProcess

    static let serverScript = """
    import socket, ssl, sys, threading
    name, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    def on_sni(sock, server_name, _ctx):
        sock.seen_sni = server_name or ""
    ctx.sni_callback = on_sni
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    print(srv.getsockname()[1], flush=True)
    def handle(conn):
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except Exception:
            conn.close()
            return
        try:
            head = "%s|sni=%s|alpn=%s|" % (name, getattr(tls, "seen_sni", ""), tls.selected_alpn_protocol() or "")
            tls.sendall(head.encode())
            while True:
                data = tls.recv(65536)
                if not data:
                    break
                tls.sendall(data)
        except Exception:
            pass
        finally:
            tls.close()
    while True:
        c, _ = srv.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()
    """

    static let clientScript = """
    import socket, ssl, sys, time
    port, sni, alpn, chunk, msg = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5].encode()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if alpn:
        ctx.set_alpn_protocols(alpn.split(","))
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=sni or None)
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    first = True
    def fill():
        r = s.recv(65536)
        if not r:
            print("CLOSED", end="")
            sys.exit(0)
        inc.write(r)
    try:
        while True:
            try:
                obj.do_handshake()
                done = True
            except ssl.SSLWantReadError:
                done = False
            data = out.read()
            if data and first and chunk > 0:
                # The ClientHello in small writes with pauses: several reads on the proxy's side.
                for i in range(0, len(data), chunk):
                    s.sendall(data[i:i + chunk])
                    time.sleep(0.05)
            elif data:
                s.sendall(data)
            first = False
            if done:
                break
            fill()
        obj.write(msg)
        s.sendall(out.read())
        got = b""
        while not got.endswith(msg):
            try:
                got += obj.read(65536)
            except ssl.SSLWantReadError:
                fill()
        print(got.decode(), end="")
    except (ConnectionResetError, ssl.SSLError, socket.timeout) as e:
        print("ERROR " + type(e).__name__, end="")
    """

    private init(name: String, port: Int, directory: TemporaryDirectory, child: ChildProcess) {
        self.name = name
        self.port = port
        self.directory = directory
        self.child = child
    }

    /// Makes a certificate for `name` and starts the server; waits until it listens.
    public static func start(name: String) async throws -> PythonTLSEchoServer {
        let python = try Peer.python.require()
        let openssl = try Peer.openssl.require()
        let dir = try TemporaryDirectory(prefix: "tls-upstream")
        let cert = dir.file("cert.pem").path, key = dir.file("key.pem").path
        let made = try await ProcessRunner.run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", "/CN=\(name)", "-days", "1", "-keyout", key, "-out", cert,
        ])
        guard made.exitCode == 0 else { throw HarnessError("openssl req failed: \(made.stderrText)") }
        let out = dir.file("stdout")
        let child = try ChildProcess.spawn(python, ["-c", serverScript, name, cert, key], stdout: out,
                                           stderr: dir.file("stderr"))
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: out, encoding: .utf8),
               let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return PythonTLSEchoServer(name: name, port: bound, directory: dir, child: child)
            }
            if !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.send(signal: SIGKILL)
        let err = (try? String(contentsOf: dir.file("stderr"), encoding: .utf8)) ?? ""
        throw HarnessError("python TLS upstream \(name) did not start: \(err)")
    }

    /// Stops the process and removes its files.
    public func stop() async {
        child.send(signal: SIGKILL)
        _ = await child.wait(timeout: .seconds(10))
        directory.remove()
    }

    /// Connects to `port` as a TLS client (no certificate check), sending `serverName` as SNI
    /// (none when empty) and offering `alpn`; with `helloChunk` > 0 the ClientHello goes out in
    /// writes of that many bytes, 50 ms apart. Sends `message` once the handshake is done and
    /// returns what came back (the upstream's head plus the echo), `CLOSED` when the proxy closed
    /// the connection during the handshake, or `ERROR <kind>`.
    public static func exchange(port: Int, serverName: String, alpn: [String] = [], helloChunk: Int = 0,
                                message: String = "ping") async throws -> String {
        let output = try await Python.run(clientScript, arguments: [
            String(port), serverName, alpn.joined(separator: ","), String(helloChunk), message,
        ])
        return output.stdoutText
    }
}
