/// One admin request as handlers see it: method, path and the decoded query, nothing else
/// (Envoy's admin handlers read no request body for the endpoints Tern serves).
public struct AdminRequest: Sendable, Equatable {
    /// `GET`, `POST`, ...
    public var method: String
    /// The path without the query (`/stats`).
    public var path: String
    /// Query parameters in request order, percent-decoded; a bare `?usedonly` has value "".
    public var query: [(name: String, value: String)]

    /// Parses a request target (`/stats?filter=%5Ehttp&usedonly`) as Envoy's
    /// `parseAndDecodeQueryString` does: split on `&`, then on the first `=`, percent-decode both
    /// sides, and leave `+` as it is (filters are regexes).
    public init(method: String, uri: String) {
        self.method = method
        let target = uri.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        guard let q = target.firstIndex(of: "?") else {
            self.path = target
            self.query = []
            return
        }
        self.path = String(target[..<q])
        self.query = target[target.index(after: q)...].split(separator: "&").map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return (Self.percentDecoded(pair[..<eq]), Self.percentDecoded(pair[pair.index(after: eq)...]))
            }
            return (Self.percentDecoded(pair), "")
        }
    }

    /// The first value of `name`, or nil when absent.
    public func first(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// True when `name` is present, with or without a value (Envoy's boolean parameters).
    public func has(_ name: String) -> Bool { first(name) != nil }

    public static func == (a: AdminRequest, b: AdminRequest) -> Bool {
        a.method == b.method && a.path == b.path && a.query.elementsEqual(b.query) { $0 == $1 }
    }

    /// `%XX` → byte; malformed escapes stay as they are. Invalid UTF-8 is repaired.
    static func percentDecoded(_ s: Substring) -> String {
        guard s.contains("%") else { return String(s) }
        let utf8 = Array(s.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
               let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2]) {
                bytes.append(hi << 4 | lo)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
