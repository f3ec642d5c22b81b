/// Whether header name `name` equals `lower` (already lower-case ASCII), compared ASCII
/// case-insensitively without allocating: header names on the hot path are checked this way
/// rather than with `lowercased()`.
@inline(__always)
func asciiCaseInsensitiveEquals(_ name: String, _ lower: StaticString) -> Bool {
    var name = name
    return name.withUTF8 { asciiCaseInsensitiveEquals($0, lower) }
}

@inline(__always)
func asciiCaseInsensitiveEquals(_ b: UnsafeBufferPointer<UInt8>, _ lower: StaticString) -> Bool {
    guard b.count == lower.utf8CodeUnitCount else { return false }
    let l = lower.utf8Start
    for i in 0..<b.count {
        var c = b[i]
        if c >= 0x41 && c <= 0x5A { c |= 0x20 }
        if c != l[i] { return false }
    }
    return true
}
