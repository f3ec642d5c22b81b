// A real gRPC health server in its own process: grpcio's standard `grpc.health.v1.Health`
// servicer on 127.0.0.1 (h2c). Tests change what it answers by rewriting a control file the
// script polls (one `service=STATUS` per line; the empty service is the server as a whole), and
// read what each Check asked (service, client address, metadata) from a log the script appends to.

import Foundation

/// A Python gRPC health server process (needs `grpcio` and `grpcio-health-checking` in the venv).
public final class PythonGRPCHealthServer: Sendable {
    public let port: Int
    private let directory: TemporaryDirectory
    private let child: ChildProcess

    /// `HealthCheckResponse.ServingStatus` names.
    public enum Status: String, Sendable {
        case serving = "SERVING"
        case notServing = "NOT_SERVING"
        case unknown = "UNKNOWN"
    }

    static let script = """
    import json, sys, threading, time
    from concurrent import futures
    import grpc
    from grpc_health.v1 import health, health_pb2, health_pb2_grpc
    control, log = sys.argv[1], sys.argv[2]
    class Servicer(health.HealthServicer):
        def Check(self, request, context):
            line = json.dumps({"service": request.service, "peer": context.peer(),
                               "metadata": {k: v for k, v in context.invocation_metadata()}})
            with open(log, "a") as f:
                f.write(line + "\\n")
            return super().Check(request, context)
    servicer = Servicer()
    def apply():
        try:
            with open(control) as f:
                lines = f.read().splitlines()
        except OSError:
            return
        for line in lines:
            if "=" in line:
                service, status = line.split("=", 1)
                servicer.set(service, health_pb2.HealthCheckResponse.ServingStatus.Value(status))
    def poll():
        while True:
            apply()
            time.sleep(0.05)
    apply()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    threading.Thread(target=poll, daemon=True).start()
    print(port, flush=True)
    server.wait_for_termination()
    """

    private init(port: Int, directory: TemporaryDirectory, child: ChildProcess) {
        self.port = port
        self.directory = directory
        self.child = child
    }

    /// Starts a server whose `statuses` (service name → status) are set before it listens.
    public static func start(_ statuses: [String: Status] = ["": .serving]) async throws -> PythonGRPCHealthServer {
        let python = try Peer.python.require()
        let dir = try TemporaryDirectory(prefix: "py-grpc-health")
        let out = dir.file("stdout")
        try write(statuses, to: dir)
        let child = try ChildProcess.spawn(python, ["-c", script, dir.file("control").path, dir.file("checks").path],
                                           stdout: out, stderr: dir.file("stderr"))
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: out, encoding: .utf8),
               let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return PythonGRPCHealthServer(port: bound, directory: dir, child: child)
            }
            if !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.send(signal: SIGKILL)
        let err = (try? String(contentsOf: dir.file("stderr"), encoding: .utf8)) ?? ""
        dir.remove()
        throw HarnessError("python gRPC health server did not start: \(err)")
    }

    /// Sets what the server answers for each service from now on (within ~50 ms).
    public func set(_ statuses: [String: Status]) throws {
        try Self.write(statuses, to: directory)
    }

    /// One Check call as the server saw it.
    public struct Check: Sendable, Decodable {
        /// `HealthCheckRequest.service`.
        public let service: String
        /// The client's address, e.g. `ipv4:127.0.0.1:40312`: one value per connection.
        public let peer: String
        /// The call's metadata (request headers other than pseudo-headers).
        public let metadata: [String: String]
    }

    /// Every Check the server received, in order.
    public var checks: [Check] {
        let text = (try? String(contentsOf: directory.file("checks"), encoding: .utf8)) ?? ""
        // The last line may be half written; it is dropped until complete.
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Check.self, from: Data($0.utf8)) }
    }

    /// SIGKILL: the process and its connections are gone at once.
    public func kill() async {
        child.send(signal: SIGKILL)
        _ = await child.wait(timeout: .seconds(10))
    }

    /// Stops the process and removes its files.
    public func stop() async {
        await kill()
        directory.remove()
    }

    private static func write(_ statuses: [String: Status], to dir: TemporaryDirectory) throws {
        let text = statuses.map { "\($0.key)=\($0.value.rawValue)\n" }.joined()
        // Atomic, so the poller never reads half a file.
        try Data(text.utf8).write(to: dir.file("control"), options: .atomic)
    }
}
