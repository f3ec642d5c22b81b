import NIOCore

/// A listener address that could not be bound.
public struct ListenerBindError: Error, CustomStringConvertible {
    public let listener: String
    public let address: SocketAddress
    public let underlying: any Error
    public var description: String {
        "cannot bind listener '\(listener)' to \(AddressCompiler.text(address)): \(underlying)"
    }
}
