// A raw h2c server (Python sockets, no HTTP/2 library) that refuses every request: it sends its
// SETTINGS as soon as the client preface arrives, as real servers do, and answers each request's
// HEADERS with RST_STREAM or GOAWAY (last stream 0) carrying the given error code. For proving
// what a proxy does when its HTTP/2 upstream resets a stream before any response.
// (`ScriptedHTTP2Server` holds its SETTINGS back until a request arrives, which a client that
// waits for the server preface never sends.)

import Foundation

/// A Python process refusing every HTTP/2 request with RST_STREAM or GOAWAY.
public final class PythonHTTP2ResetServer: Sendable {
    /// What every request is answered with.
    public enum Answer: Sendable, CustomStringConvertible {
        case reset(errorCode: UInt32)
        case goAway(errorCode: UInt32)

        var argument: String {
            switch self {
            case .reset(let code): "rst:\(code)"
            case .goAway(let code): "goaway:\(code)"
            }
        }

        public var description: String {
            switch self {
            case .reset(let code): "RST_STREAM(\(code))"
            case .goAway(let code): "GOAWAY(\(code))"
            }
        }
    }

    public let port: Int
    private let directory: TemporaryDirectory
    private let child: ChildProcess

    static let script = """
    import socket, struct, sys, threading
    kind, code = sys.argv[1].split(":")
    code = int(code)
    def frame(t, f, sid, payload=b""):
        return struct.pack(">I", len(payload))[1:] + bytes([t, f]) + struct.pack(">I", sid) + payload
    def serve(c):
        buf, preface = b"", False
        while True:
            d = c.recv(65536)
            if not d:
                return
            buf += d
            if not preface and len(buf) >= 24:
                buf, preface = buf[24:], True
                c.sendall(frame(4, 0, 0))
            while preface and len(buf) >= 9:
                n = int.from_bytes(buf[:3], "big")
                if len(buf) < 9 + n:
                    break
                t, f, sid = buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF
                buf = buf[9 + n:]
                if t == 4 and not (f & 1):
                    c.sendall(frame(4, 1, 0))
                elif t == 1:
                    if kind == "rst":
                        c.sendall(frame(3, 0, sid, struct.pack(">I", code)))
                    else:
                        c.sendall(frame(7, 0, 0, struct.pack(">II", 0, code)))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    print(s.getsockname()[1], flush=True)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
    """

    private init(port: Int, directory: TemporaryDirectory, child: ChildProcess) {
        self.port = port
        self.directory = directory
        self.child = child
    }

    /// Starts a server answering every request with `answer`.
    public static func start(_ answer: Answer) async throws -> PythonHTTP2ResetServer {
        let python = try Peer.python.require()
        let dir = try TemporaryDirectory(prefix: "py-h2-reset")
        let out = dir.file("stdout")
        let child = try ChildProcess.spawn(python, ["-c", script, answer.argument], stdout: out, stderr: dir.file("stderr"))
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: out, encoding: .utf8),
               let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return PythonHTTP2ResetServer(port: bound, directory: dir, child: child)
            }
            if !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.send(signal: SIGKILL)
        let err = (try? String(contentsOf: dir.file("stderr"), encoding: .utf8)) ?? ""
        dir.remove()
        throw HarnessError("python HTTP/2 reset server did not start: \(err)")
    }

    /// Stops the process and removes its files.
    public func stop() async {
        child.send(signal: SIGKILL)
        _ = await child.wait(timeout: .seconds(10))
        directory.remove()
    }
}
