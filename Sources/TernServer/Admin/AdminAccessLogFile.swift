import Foundation
import NIOConcurrencyHelpers
import TernAdmin

/// `admin.access_log_path`: one line per admin request, in the spirit of Envoy's default access
/// log format. Admin traffic is rare, so lines are written straight through.
enum AdminAccessLogFile {
    /// The hook for `AdminServer`, or nil when the path is empty or `/dev/null` (Istio's setting).
    static func open(_ path: String) -> AdminAccessLog? {
        guard !path.isEmpty, path != "/dev/null" else { return nil }
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        handle.seekToEndOfFile()
        let box = NIOLockedValueBox(handle)
        return { entry in
            let remote = entry.remoteAddress.map { AddressCompiler.text($0) } ?? "-"
            let line = "[\(Self.timestamp())] \"\(entry.method) \(entry.uri) HTTP/1.1\" \(entry.status) "
                + "\(entry.responseBytes) \(entry.durationNanoseconds / 1_000_000) \(remote)\n"
            box.withLockedValue { $0.write(Data(line.utf8)) }
        }
    }

    private static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
