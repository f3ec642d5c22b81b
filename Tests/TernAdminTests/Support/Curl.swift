import Foundation

/// One HTTP exchange made with the real `curl` binary: a client Tern does not control.
struct CurlResult: Sendable {
    var status: Int
    var contentType: String
    var body: String
    var lines: [String] { body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
}

enum Curl {
    /// Runs `curl -X method url` without blocking a concurrency thread (the admin handlers need
    /// those threads to answer).
    static func request(_ method: String, _ url: String) async throws -> CurlResult {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tern-admin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-S", "--max-time", "10", "-X", method, "-o", output.path,
                             "-w", "%{http_code} %{content_type}", url]
        let stdout = Pipe()
        process.standardOutput = stdout
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let meta = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let parts = meta.split(separator: " ", maxSplits: 1)
        let body = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return CurlResult(status: Int(parts.first ?? "") ?? 0, contentType: parts.count > 1 ? String(parts[1]) : "",
                          body: body)
    }

    /// Runs curl with `arguments` and returns what it printed on stdout.
    static func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["--max-time", "10"] + arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tern-admin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try handle.close()
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }
}
