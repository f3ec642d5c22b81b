// An ordered list of HTTP header fields, as seen on the wire, looked up case-insensitively.

/// One header field.
public struct HeaderField: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name): \(value)" }
}

/// Header fields in wire order; names compare case-insensitively.
public struct HeaderFields: Sendable, Hashable, Codable, Sequence, CustomStringConvertible {
    public var fields: [HeaderField]

    public init(_ fields: [HeaderField] = []) {
        self.fields = fields
    }

    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { HeaderField($0.0, $0.1) }
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// True when at least one field is called `name`.
    public func contains(_ name: String) -> Bool {
        self[name] != nil
    }

    public mutating func append(_ name: String, _ value: String) {
        fields.append(HeaderField(name, value))
    }

    public func makeIterator() -> IndexingIterator<[HeaderField]> {
        fields.makeIterator()
    }

    public var description: String {
        fields.map(\.description).joined(separator: "\n")
    }
}
