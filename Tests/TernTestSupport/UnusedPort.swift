// A port on 127.0.0.1 with nothing listening: the address of a dead upstream.

#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Finds loopback ports nobody listens on, and keeps them that way.
public enum UnusedPort {
    /// Sockets that hold the ports handed out, open until the test process exits.
    private static let held = Mutex<[Int32]>([])

    /// A TCP socket bound to 127.0.0.1 on a port the kernel chose, never listening. A connection
    /// to that port is refused, and while the socket stays open no other socket of the test run
    /// (an upstream server binding port 0 in a parallel test) can be given the same port — which
    /// a closed probe socket could not promise.
    public static func next() async throws -> Int {
        let (fd, port) = try bound()
        held.withLock { $0.append(fd) }
        return port
    }

    /// A port that was free a moment ago, for a proxy under test to bind itself (a listener at a
    /// fixed port). Nothing holds it, so it is drawn below the kernel's ephemeral range (32768 and
    /// up): no port-0 server or outgoing connection of a parallel test can be handed it meanwhile,
    /// only another `forBinding()` caller, one in thousands of ports.
    public static func forBinding() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20000..<32768)
            if let fd = try? bound(port: port) {
                close(fd.0)
                return port
            }
        }
        throw HarnessError("no free port below the ephemeral range")
    }

    private static func bound(port: Int = 0) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, length) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw HarnessError("bind() failed: errno \(errno)")
        }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }
}
