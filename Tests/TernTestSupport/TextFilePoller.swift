// Reading a file another process appends to (an access log, the proxy's stdout) with a bounded
// wait: the proxy flushes on its own schedule, so a test polls until the lines it expects are in.

import Foundation

/// Bounded polling of a growing text file.
public enum TextFilePoller {
    /// The complete lines (those ended by a newline) of `file` now; none when it does not exist.
    public static func lines(_ file: URL) -> [String] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // the part after the last newline is not a complete line yet
        return lines
    }

    /// Waits until `isEnough` holds for the complete lines of `file`, or `timeout` passes, and
    /// returns the last lines read.
    public static func waitForLines(
        _ file: URL, timeout: Duration = .seconds(10), until isEnough: ([String]) -> Bool
    ) async -> [String] {
        var last: [String] = []
        _ = await waitUntil(timeout: timeout, interval: .milliseconds(25)) {
            last = lines(file)
            return isEnough(last)
        }
        return last
    }

    /// Waits until `file` has at least `count` complete lines.
    public static func waitForLines(_ file: URL, count: Int, timeout: Duration = .seconds(10)) async -> [String] {
        await waitForLines(file, timeout: timeout) { $0.count >= count }
    }
}
