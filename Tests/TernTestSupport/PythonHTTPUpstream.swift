// An upstream in its own process: Python's http.server (threaded, HTTP/1.1 keep-alive) answering
// every GET with 200 and `x-upstream-name`. Being a real process it can be killed with SIGKILL
// (its sockets vanish at once, as when a pod dies) and started again on the same port.
// Each response leaves in one write (a buffered `wfile`, flushed once per request): unbuffered,
// http.server writes the head and the body separately, and a SIGKILL between the two leaves a
// response that has started and cannot be retried by any proxy, about once in 3,000 requests.

import Foundation

/// A Python HTTP/1.1 upstream process on 127.0.0.1.
public final class PythonHTTPUpstream: Sendable {
    public let name: String
    /// The port, fixed across restarts.
    public let port: Int
    private let directory: TemporaryDirectory
    private let child: ChildProcess

    static let script = """
    import http.server, socketserver, sys
    name, port = sys.argv[1], int(sys.argv[2])
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 65536
        def do_GET(self):
            body = b"ok"
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.send_header("x-upstream-name", name)
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    class S(http.server.ThreadingHTTPServer):
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = 256
    s = S(("127.0.0.1", port), H)
    print(s.server_address[1], flush=True)
    s.serve_forever()
    """

    private init(name: String, port: Int, directory: TemporaryDirectory, child: ChildProcess) {
        self.name = name
        self.port = port
        self.directory = directory
        self.child = child
    }

    /// Starts a server on `port` (0: the kernel picks) and waits until it listens.
    public static func start(name: String, port: Int = 0) async throws -> PythonHTTPUpstream {
        let python = try Peer.python.require()
        let dir = try TemporaryDirectory(prefix: "py-upstream")
        let out = dir.file("stdout")
        let child = try ChildProcess.spawn(python, ["-c", script, name, String(port)], stdout: out, stderr: dir.file("stderr"))
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: out, encoding: .utf8),
               let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return PythonHTTPUpstream(name: name, port: bound, directory: dir, child: child)
            }
            if !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.send(signal: SIGKILL)
        let err = (try? String(contentsOf: dir.file("stderr"), encoding: .utf8)) ?? ""
        throw HarnessError("python upstream \(name) did not start: \(err)")
    }

    /// SIGKILL: the process and its connections are gone at once.
    public func kill() async {
        child.send(signal: SIGKILL)
        _ = await child.wait(timeout: .seconds(10))
    }

    /// A new process of the same name on the same port.
    public func restart() async throws -> PythonHTTPUpstream {
        try await Self.start(name: name, port: port)
    }

    /// Stops the process and removes its files.
    public func stop() async {
        await kill()
        directory.remove()
    }
}
