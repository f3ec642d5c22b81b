// A grpcio server over TLS (ALPN h2, as gRPC requires) serving only `/tern.Echo/Unary`, which
// answers the request message and reports the client certificate's CN in the trailer
// `x-client-cn` ("none" without one). An HTTP/2-over-TLS upstream for TLS origination tests.

import Foundation

/// A Python grpcio TLS server process on 127.0.0.1.
public final class PythonGRPCTLSServer: Sendable {
    public let port: Int
    private let directory: TemporaryDirectory
    private let child: ChildProcess

    static let script = """
    import sys
    from concurrent import futures
    import grpc
    cert, key, ca = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), sys.argv[3]
    def unary(request, context):
        cn = "none"
        for k, v in (context.auth_context() or {}).items():
            if k == "x509_common_name" and v:
                cn = v[0].decode()
        context.set_trailing_metadata([("x-client-cn", cn)])
        return request
    handlers = {"Unary": grpc.unary_unary_rpc_method_handler(unary)}
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("tern.Echo", handlers),))
    if ca:
        creds = grpc.ssl_server_credentials([(key, cert)], root_certificates=open(ca, "rb").read(),
                                            require_client_auth=True)
    else:
        creds = grpc.ssl_server_credentials([(key, cert)])
    port = server.add_secure_port("127.0.0.1:0", creds)
    server.start()
    print(port, flush=True)
    server.wait_for_termination()
    """

    private init(port: Int, directory: TemporaryDirectory, child: ChildProcess) {
        self.port = port
        self.directory = directory
        self.child = child
    }

    /// Starts the server with `server`'s certificate; with `clientCA` it requires a client certificate.
    public static func start(server: CertificatePair, clientCA: String? = nil) async throws -> PythonGRPCTLSServer {
        let python = try Peer.python.require()
        let dir = try TemporaryDirectory(prefix: "py-grpc-tls")
        let out = dir.file("stdout")
        let child = try ChildProcess.spawn(python, ["-c", script, server.certificate, server.key, clientCA ?? ""],
                                           stdout: out, stderr: dir.file("stderr"))
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: out, encoding: .utf8),
               let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return PythonGRPCTLSServer(port: bound, directory: dir, child: child)
            }
            if !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.send(signal: SIGKILL)
        let err = (try? String(contentsOf: dir.file("stderr"), encoding: .utf8)) ?? ""
        dir.remove()
        throw HarnessError("python gRPC TLS server did not start: \(err)")
    }

    /// Stops the process and removes its files.
    public func stop() async {
        child.send(signal: SIGKILL)
        _ = await child.wait(timeout: .seconds(10))
        directory.remove()
    }
}
