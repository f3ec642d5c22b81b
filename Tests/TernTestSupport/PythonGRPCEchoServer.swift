// A real gRPC server in its own process: grpcio with generic handlers (no protoc, messages are
// raw bytes) serving `tern.Echo` on 127.0.0.1 over h2c:
//
//   /tern.Echo/Unary         answers the request message
//   /tern.Echo/ClientStream  answers the request messages joined (trailer x-count: how many)
//   /tern.Echo/ServerStream  answers x-count (default 3) messages: byte i, then the request
//   /tern.Echo/Bidi          answers each message reversed, as it arrives (trailer x-count)
//
// Each call is steered by its metadata: x-sleep-ms waits before the response headers,
// x-sleep-after-headers-ms after them, x-status/x-message end the call with that status (with
// x-trailers-only before any headers, as a trailers-only response), x-exit: before-headers or
// after-headers kills the server mid-call, x-barrier: N holds the call until N calls are in the server at once (or fails it
// with FAILED_PRECONDITION after 30 s). Every answer carries initial metadata x-initial: i-<x-tag> and trailing metadata
// x-trailer: t-<x-tag> and x-seen-timeout-ms (the deadline the server was given, or none).
// Messages may be up to 8 MiB.

import Foundation

/// A Python grpcio echo server process (see the header comment for its methods).
public final class PythonGRPCEchoServer: Sendable {
    public let port: Int
    private let directory: TemporaryDirectory
    private let child: ChildProcess

    static let script = """
    import os, sys, threading, time
    from concurrent import futures
    import grpc
    MAX = 8 * 1024 * 1024
    def meta(context):
        return {k: v for k, v in context.invocation_metadata()}
    barriers, lock = {}, threading.Lock()
    def behave(context, md):
        # What every method does first: note what arrived, wait, maybe fail.
        remaining = context.time_remaining()
        if "x-barrier" in md:
            n = int(md["x-barrier"])
            with lock:
                barrier = barriers.setdefault(n, threading.Barrier(n, timeout=30))
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION, "fewer than %d calls at once" % n)
        trailing = [("x-trailer", "t-" + md.get("x-tag", "")),
                    ("x-seen-timeout-ms", "none" if remaining is None or remaining > 1e6 else str(int(remaining * 1000)))]
        if "x-sleep-ms" in md:
            time.sleep(int(md["x-sleep-ms"]) / 1000)
        if md.get("x-exit") == "before-headers":
            os._exit(3)
        context.send_initial_metadata([("x-initial", "i-" + md.get("x-tag", ""))])
        if "x-sleep-after-headers-ms" in md:
            time.sleep(int(md["x-sleep-after-headers-ms"]) / 1000)
        if md.get("x-exit") == "after-headers":
            time.sleep(0.2)
            os._exit(3)
        return trailing
    def finish(context, md, trailing):
        context.set_trailing_metadata(trailing)
        if "x-status" in md:
            context.abort(grpc.StatusCode[md["x-status"]], md.get("x-message", ""))
    def unary(request, context):
        md = meta(context)
        if md.get("x-trailers-only") and "x-status" in md:
            context.set_trailing_metadata([("x-trailer", "t-" + md.get("x-tag", ""))])
            context.abort(grpc.StatusCode[md["x-status"]], md.get("x-message", ""))
        trailing = behave(context, md)
        finish(context, md, trailing)
        return request
    def client_stream(it, context):
        md = meta(context)
        trailing = behave(context, md)
        parts = [m for m in it]
        finish(context, md, trailing + [("x-count", str(len(parts)))])
        return b"".join(parts)
    def server_stream(request, context):
        md = meta(context)
        trailing = behave(context, md)
        for i in range(int(md.get("x-count", "3"))):
            yield bytes([i % 256]) + request
        finish(context, md, trailing)
    def bidi(it, context):
        md = meta(context)
        trailing = behave(context, md)
        n = 0
        for m in it:
            n += 1
            yield m[::-1]
        finish(context, md, trailing + [("x-count", str(n))])
    handlers = {
        "Unary": grpc.unary_unary_rpc_method_handler(unary),
        "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream),
        "Bidi": grpc.stream_stream_rpc_method_handler(bidi),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=64), maximum_concurrent_rpcs=None,
                         options=[("grpc.max_receive_message_length", MAX), ("grpc.max_send_message_length", MAX)])
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("tern.Echo", handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()
    """

    private init(port: Int, directory: TemporaryDirectory, child: ChildProcess) {
        self.port = port
        self.directory = directory
        self.child = child
    }

    /// Starts a server and waits until it listens.
    public static func start() async throws -> PythonGRPCEchoServer {
        let python = try Peer.python.require()
        let dir = try TemporaryDirectory(prefix: "py-grpc-echo")
        let out = dir.file("stdout")
        let child = try ChildProcess.spawn(python, ["-c", script], stdout: out, stderr: dir.file("stderr"))
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: out, encoding: .utf8),
               let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return PythonGRPCEchoServer(port: bound, directory: dir, child: child)
            }
            if !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.send(signal: SIGKILL)
        let err = (try? String(contentsOf: dir.file("stderr"), encoding: .utf8)) ?? ""
        dir.remove()
        throw HarnessError("python gRPC echo server did not start: \(err)")
    }

    /// True until the process ended (x-exit ends it).
    public var isRunning: Bool { child.isRunning }

    /// Stops the process and removes its files.
    public func stop() async {
        child.send(signal: SIGKILL)
        _ = await child.wait(timeout: .seconds(10))
        directory.remove()
    }
}
