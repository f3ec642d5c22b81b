import Dispatch
import Foundation
import NIOConcurrencyHelpers

/// The process's signals, as Envoy's: SIGHUP reloads the config (Tern; Envoy ignores it),
/// SIGTERM and SIGINT start a graceful shutdown, and a second SIGTERM/SIGINT during the drain
/// exits at once (status 1). Each signal is first ignored so only the dispatch source sees it.
/// Keep the object alive for as long as the signals should be handled.
public final class SignalHandlers {
    private let server: Server
    private var sources: [any DispatchSourceSignal] = []
    private let shutdownRequests = NIOLockedValueBox(0)

    public init(server: Server) {
        self.server = server
    }

    /// Starts handling SIGHUP, SIGTERM and SIGINT.
    public func install() {
        let queue = DispatchQueue(label: "tern.signals")
        let server = self.server
        let requests = shutdownRequests
        for sig in [SIGHUP, SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { Self.handle(sig, server: server, shutdownRequests: requests) }
            source.resume()
            sources.append(source)
        }
    }

    private static func handle(_ sig: Int32, server: Server, shutdownRequests: NIOLockedValueBox<Int>) {
        if sig == SIGHUP {
            Task { await server.reload(reason: "SIGHUP") }
            return
        }
        let count = shutdownRequests.withLockedValue { n -> Int in
            n += 1
            return n
        }
        if count > 1 {
            FileHandle.standardError.write(Data("tern: second \(sig == SIGINT ? "SIGINT" : "SIGTERM"), exiting now\n".utf8))
            exit(1)
        }
        Task { await server.shutdown(graceful: true) }
    }
}
