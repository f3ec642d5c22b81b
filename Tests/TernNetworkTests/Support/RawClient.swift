#if canImport(Glibc)
import Glibc
#endif

/// A plain client socket for driving the proxy the way any TCP client would: non-blocking,
/// with `poll`, so sending and receiving interleave and every wait has a deadline.
final class RawClient {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// What came back and how the stream ended.
    struct Outcome {
        var bytes: [UInt8] = []
        /// The peer closed its side cleanly (read returned 0).
        var eof = false
        /// The peer reset the connection.
        var reset = false
        /// Bytes actually sent (less than asked when the deadline hit first).
        var sent = 0
    }

    let fd: CInt

    init(port: Int, sendBufferSize: Int? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        if var size = sendBufferSize.map(CInt.init) {
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<CInt>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect: \(code)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Sends `data` (then half-closes when `halfClose`), reading all the while; returns at EOF or
    /// reset, once `expect` bytes have arrived, or at the deadline (`throwOnTimeout` decides).
    @discardableResult
    func exchange(send data: [UInt8] = [], halfClose: Bool = false, expect: Int? = nil,
                  timeout: Duration = .seconds(20), throwOnTimeout: Bool = true) throws -> Outcome {
        var outcome = Outcome()
        var shut = false
        var scratch = [UInt8](repeating: 0, count: 65_536)
        let deadline = ContinuousClock.now + timeout
        while true {
            if outcome.sent == data.count, halfClose, !shut {
                shutdownWrite()
                shut = true
            }
            let sendingDone = outcome.sent == data.count && (shut || !halfClose)
            // The peer may have closed its side before we finished sending: finish first.
            if sendingDone, outcome.eof || outcome.reset { return outcome }
            if let expect, outcome.bytes.count >= expect, sendingDone { return outcome }
            let left = deadline - ContinuousClock.now
            if left <= .zero {
                if throwOnTimeout {
                    throw Failure(description: "timeout: sent \(outcome.sent)/\(data.count), received \(outcome.bytes.count)")
                }
                return outcome
            }
            var events: Int16 = 0
            if !outcome.eof, !outcome.reset { events |= Int16(POLLIN) }
            if outcome.sent < data.count, !outcome.reset { events |= Int16(POLLOUT) }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let waitMs = min(100, Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            _ = poll(&p, 1, CInt(max(1, waitMs)))
            if p.revents & Int16(POLLOUT) != 0, outcome.sent < data.count {
                let n = data.withUnsafeBytes { raw in
                    send(fd, raw.baseAddress! + outcome.sent, min(65_536, data.count - outcome.sent), Int32(MSG_NOSIGNAL))
                }
                if n > 0 {
                    outcome.sent += n
                } else if n < 0, errno == EPIPE || errno == ECONNRESET {
                    outcome.reset = true
                }
            }
            if events & Int16(POLLIN) != 0, p.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let n = recv(fd, &scratch, scratch.count, 0)
                if n > 0 {
                    outcome.bytes.append(contentsOf: scratch[0..<n])
                } else if n == 0 {
                    outcome.eof = true
                } else if errno == ECONNRESET || errno == EPIPE {
                    outcome.reset = true
                }
            }
        }
    }

    /// Waits until the proxy closes the connection (EOF or reset), reading what arrives.
    func waitForClose(timeout: Duration = .seconds(10)) throws -> Outcome {
        try exchange(timeout: timeout)
    }
}
