// A process's resident memory from /proc, for tests that bound what an attack may cost.

import Foundation

/// Reads `/proc/<pid>/status`.
public enum ProcessMemory {
    /// VmRSS in KiB, or nil when the process is gone.
    public static func residentKiB(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}
