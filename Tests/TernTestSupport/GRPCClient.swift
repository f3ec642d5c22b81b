// A real gRPC client: grpcio (Python) calling a `PythonGRPCEchoServer`'s `tern.Echo` methods
// with raw-bytes messages over one channel (one HTTP/2 connection, h2c), through the proxy under
// test. Each call's request messages are deterministic bytes of the given sizes; the client
// checks the echo itself (`echoOK`) and reports the status, details and metadata it received.

import Foundation

/// One gRPC call for `GRPCClient.run`.
public struct GRPCCall: Sendable, Encodable {
    /// `Unary`, `ClientStream`, `ServerStream` or `Bidi`.
    public var method: String
    /// The service in the path (`/<service>/<method>`).
    public var service: String
    /// Sizes of the request messages (one for Unary and ServerStream).
    public var sizes: [Int]
    /// Request metadata: the echo server's steering keys (x-sleep-ms, x-status, ...) or any other.
    public var metadata: [String: String]
    /// The client's deadline in seconds (sent as grpc-timeout); nil: none.
    public var timeout: Double?
    /// How many copies of this call run at once on the channel.
    public var parallel: Int

    public init(_ method: String, service: String = "tern.Echo", sizes: [Int] = [16], metadata: [String: String] = [:],
                timeout: Double? = nil, parallel: Int = 1) {
        self.method = method
        self.service = service
        self.sizes = sizes
        self.metadata = metadata
        self.timeout = timeout
        self.parallel = parallel
    }
}

/// What the client saw of one call.
public struct GRPCCallResult: Sendable, Decodable, CustomStringConvertible {
    /// The status code name, e.g. `OK`, `UNAVAILABLE`, `DEADLINE_EXCEEDED`.
    public var code: String
    /// The status message (grpc-message, decoded), or grpcio's own text for a transport failure.
    public var details: String
    /// Response headers (initial metadata) other than pseudo-headers and content-type.
    public var initial: [String: String]
    /// Trailers (trailing metadata) other than grpc-status and grpc-message.
    public var trailing: [String: String]
    /// Sizes of the response messages received.
    public var sizes: [Int]
    /// The call ended OK and the response messages are exactly what the echo method returns.
    public var echoOK: Bool

    enum CodingKeys: String, CodingKey {
        case code, details, initial, trailing, sizes
        case echoOK = "echo_ok"
    }

    public var description: String { "\(code) '\(details)' initial=\(initial) trailing=\(trailing) sizes=\(sizes) echoOK=\(echoOK)" }
}

/// Runs grpcio calls (the venv's Python).
public enum GRPCClient {
    static let script = """
    import json, sys
    import grpc
    MAX = 8 * 1024 * 1024
    target, spec = sys.argv[1], json.loads(sys.argv[2])
    def payload(size, seed):
        return bytes((i * 31 + seed) % 251 for i in range(size))
    def describe(call_spec, responses, code, details, initial, trailing, requests):
        method = call_spec["method"]
        if method == "Unary":
            expected = [requests[0]]
        elif method == "ClientStream":
            expected = [b"".join(requests)]
        elif method == "ServerStream":
            expected = [bytes([i % 256]) + requests[0] for i in range(int(call_spec.get("metadata", {}).get("x-count", "3")))]
        else:
            expected = [m[::-1] for m in requests]
        return {"code": code.name, "details": details or "",
                "initial": {k: v for k, v in (initial or [])},
                "trailing": {k: v for k, v in (trailing or [])},
                "sizes": [len(r) for r in responses],
                "echo_ok": code == grpc.StatusCode.OK and responses == expected}
    def run(channel, c):
        method = c["method"]
        path = "/" + c.get("service", "tern.Echo") + "/" + method
        requests = [payload(s, i) for i, s in enumerate(c.get("sizes", [16]))]
        md = list(c.get("metadata", {}).items())
        timeout = c.get("timeout")
        responses = []
        try:
            if method == "Unary":
                r, call = channel.unary_unary(path).with_call(requests[0], metadata=md, timeout=timeout)
                responses = [r]
            elif method == "ClientStream":
                r, call = channel.stream_unary(path).with_call(iter(requests), metadata=md, timeout=timeout)
                responses = [r]
            elif method == "ServerStream":
                call = channel.unary_stream(path)(requests[0], metadata=md, timeout=timeout)
                for r in call:
                    responses.append(r)
            else:
                call = channel.stream_stream(path)(iter(requests), metadata=md, timeout=timeout)
                for r in call:
                    responses.append(r)
            return describe(c, responses, call.code(), call.details(), call.initial_metadata(), call.trailing_metadata(), requests)
        except grpc.RpcError as e:
            return describe(c, responses, e.code(), e.details(), e.initial_metadata(), e.trailing_metadata(), requests)
    options = [("grpc.max_receive_message_length", MAX), ("grpc.max_send_message_length", MAX),
               ("grpc.enable_retries", 0)]
    with grpc.insecure_channel(target, options=options) as channel:
        out = []
        for c in spec:
            n = c.get("parallel", 1)
            if n == 1:
                out.append(run(channel, c))
            else:
                from concurrent.futures import ThreadPoolExecutor
                with ThreadPoolExecutor(max_workers=n) as pool:
                    out.extend(pool.map(lambda _: run(channel, c), range(n)))
        print(json.dumps(out))
    """

    /// Makes `calls` in order (a call with `parallel` > 1 runs that many copies at once) on one
    /// channel to 127.0.0.1:`port` and returns every result, copies included, in order.
    public static func run(port: Int, _ calls: [GRPCCall], timeout: Duration = .seconds(60)) async throws -> [GRPCCallResult] {
        let spec = String(decoding: try JSONEncoder().encode(calls), as: UTF8.self)
        let output = try await Python.run(script, arguments: ["127.0.0.1:\(port)", spec], timeout: timeout)
        guard output.exitCode == 0, let line = output.stdoutText.split(separator: "\n").last else {
            throw HarnessError("grpc client failed (exit \(output.exitCode)): \(output.stderrText.suffix(2000))")
        }
        return try JSONDecoder().decode([GRPCCallResult].self, from: Data(line.utf8))
    }

    /// One call.
    public static func call(port: Int, _ call: GRPCCall) async throws -> GRPCCallResult {
        let results = try await run(port: port, [call])
        guard let first = results.first else { throw HarnessError("grpc client returned no result") }
        return first
    }
}
