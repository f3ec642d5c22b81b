// A real third-party HTTP/2 server as an upstream: nginx on a cleartext port with `listen ...
// http2` (h2c, prior knowledge). It serves files from its own directory, stores PUT bodies (the
// dav module) so a test can compare what arrived, answers /headers with what it saw, and sends
// trailers for /trailers.txt. `keepalive_requests` (GOAWAY after that many streams on a
// connection) and `http2_max_concurrent_streams` are the knobs the HTTP/2 pool tests turn.

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// An nginx process serving h2c on 127.0.0.1.
public final class NginxUpstream: Sendable {
    public let port: Int
    public let directory: TemporaryDirectory
    private let child: ChildProcess

    private init(port: Int, directory: TemporaryDirectory, child: ChildProcess) {
        self.port = port
        self.directory = directory
        self.child = child
    }

    /// The file nginx serves at `/<name>` (write files here before requesting them).
    public func file(_ name: String) -> URL { directory.file("www/" + name) }

    /// Starts nginx; `files` are written to its document root first.
    public static func start(keepaliveRequests: Int = 1000, maxConcurrentStreams: Int = 128,
                             files: [String: [UInt8]] = [:]) async throws -> NginxUpstream {
        let nginx = try Peer.nginx.require()
        let dir = try TemporaryDirectory(prefix: "nginx")
        let fm = FileManager.default
        for sub in ["www", "www/dav", "body", "tmp"] {
            try fm.createDirectory(at: dir.file(sub), withIntermediateDirectories: true)
        }
        // nginx's workers may run as another user: they must be able to write uploads.
        for sub in ["www/dav", "body", "tmp"] { try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.file(sub).path) }
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.url.path)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.file("www").path)
        for (name, bytes) in files { try Data(bytes).write(to: dir.file("www/" + name)) }
        try Data("trailers\n".utf8).write(to: dir.file("www/trailers.txt"))
        let port = try UnusedPort.forBinding()
        let root = dir.url.path
        let config = """
        daemon off;
        master_process off;
        worker_processes 1;
        error_log \(root)/error.log;
        pid \(root)/nginx.pid;
        events { worker_connections 4096; }
        http {
          access_log off;
          client_body_temp_path \(root)/body;
          proxy_temp_path \(root)/tmp;
          fastcgi_temp_path \(root)/tmp;
          uwsgi_temp_path \(root)/tmp;
          scgi_temp_path \(root)/tmp;
          keepalive_requests \(keepaliveRequests);
          http2_max_concurrent_streams \(maxConcurrentStreams);
          server {
            listen 127.0.0.1:\(port) http2;
            root \(root)/www;
            location /headers {
              return 200 "method=$request_method host=$host http_host=$http_host uri=$request_uri proto=$server_protocol te=$http_te\\n";
            }
            location = /trailers.txt { add_trailer x-upstream-trailer "from-nginx"; }
            location /dav/ { dav_methods PUT; create_full_put_path on; client_max_body_size 200m; }
          }
        }
        """
        let configFile = try dir.write("nginx.conf", config)
        let child = try ChildProcess.spawn(nginx, ["-c", configFile.path, "-p", root],
                                           stdout: dir.file("stdout"), stderr: dir.file("stderr"))
        // Killed at exit if a test throws past its `stop()`.
        LiveProcesses.shared.add(child.pid)
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if Self.isListening(port: port) { return NginxUpstream(port: port, directory: dir, child: child) }
            if !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.send(signal: SIGKILL)
        LiveProcesses.shared.remove(child.pid)
        let err = (try? String(contentsOf: dir.file("error.log"), encoding: .utf8)) ?? ""
        throw HarnessError("nginx did not start on port \(port): \(err)")
    }

    /// SIGKILL: nginx and its connections are gone at once.
    public func kill() async {
        child.send(signal: SIGKILL)
        _ = await child.wait(timeout: .seconds(10))
        LiveProcesses.shared.remove(child.pid)
    }

    public func stop() async {
        await kill()
        directory.remove()
    }

    /// Whether something accepts connections on 127.0.0.1:`port`.
    static func isListening(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
