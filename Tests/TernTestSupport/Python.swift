// The venv's Python (with `requests`) as a client, for what curl cannot express neatly, such as a
// request body produced by a generator (sent chunked).

import Foundation

/// Runs Python scripts with `.venv/bin/python3`.
public enum Python {
    /// Runs `script` with `arguments` (`sys.argv[1:]`) and returns its output.
    public static func run(_ script: String, arguments: [String] = [], timeout: Duration = .seconds(30))
        async throws -> ProcessOutput
    {
        try await ProcessRunner.run(try Peer.python.require(), ["-c", script] + arguments, timeout: timeout)
    }
}
