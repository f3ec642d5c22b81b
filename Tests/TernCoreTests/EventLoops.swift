import NIOCore
import NIOPosix

/// Runs `body` with the loops of a fresh `numberOfThreads`-loop group, shut down afterwards.
func withEventLoops<R>(_ numberOfThreads: Int, _ body: ([any EventLoop]) async throws -> R) async throws -> R {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: numberOfThreads)
    do {
        let result = try await body(Array(group.makeIterator()))
        try await group.shutdownGracefully()
        return result
    } catch {
        try? await group.shutdownGracefully()
        throw error
    }
}
