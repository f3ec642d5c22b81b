import Foundation
import Testing
@testable import TernServer

/// `--watch` reports a change once the file has stopped changing (one stable poll).
@Suite struct ConfigWatcherTests {
    @Test func reportsAChangeOnceItIsStable() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tern-watch-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "a: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let watcher = ConfigWatcher(path: path)
        #expect(!watcher.changed())

        try "a: 22\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(!watcher.changed())   // first sight of the new file: wait one poll
        #expect(watcher.changed())    // unchanged since: report it
        #expect(!watcher.changed())   // and only once

        try FileManager.default.removeItem(atPath: path)
        #expect(!watcher.changed())   // a missing file is never a change to load
        #expect(!watcher.changed())
    }
}
