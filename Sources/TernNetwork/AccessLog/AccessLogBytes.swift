import NIOCore

/// Byte-level writers the access-log formatter uses so a log line is built straight into a
/// `ByteBuffer`: decimal numbers without `String(describing:)`, JSON escaping in place.
enum AccessLogBytes {
    static let dash: [UInt8] = [UInt8(ascii: "-")]
    static let null: [UInt8] = Array("null".utf8)

    /// Writes `value` in decimal, left-padded with zeros to `minDigits`.
    static func writeDecimal(_ value: UInt64, minDigits: Int = 1, into buffer: inout ByteBuffer) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        let count = max(digits, minDigits)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { out in
            var v = value
            var i = count - 1
            while i >= 0 {
                out[i] = UInt8(truncatingIfNeeded: 48 &+ v % 10)
                v /= 10
                i -= 1
            }
            return count
        }
    }

    /// Writes a signed value in decimal.
    static func writeDecimal(_ value: Int, minDigits: Int = 1, into buffer: inout ByteBuffer) {
        if value < 0 {
            buffer.writeInteger(UInt8(ascii: "-"))
            writeDecimal(UInt64(-value), minDigits: minDigits, into: &buffer)
        } else {
            writeDecimal(UInt64(value), minDigits: minDigits, into: &buffer)
        }
    }

    /// Writes `value` right-aligned in a field of `width` padded with spaces (`%e`).
    static func writeSpacePadded(_ value: Int, width: Int, into buffer: inout ByteBuffer) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        for _ in digits..<max(width, digits) { buffer.writeInteger(UInt8(ascii: " ")) }
        writeDecimal(UInt64(value), into: &buffer)
    }

    /// Writes the UTF-8 of `string`, cut to `maxLength` bytes when given (Envoy's `:Z`).
    static func write(_ string: String, maxLength: Int?, into buffer: inout ByteBuffer) {
        if let maxLength, string.utf8.count > maxLength {
            buffer.writeBytes(string.utf8.prefix(maxLength))
        } else {
            buffer.writeString(string)
        }
    }

    /// Escapes, as a JSON string body, the bytes written since writer index `start`. Most values
    /// need no escaping, so the common case is one scan and no copy.
    static func escapeJSON(in buffer: inout ByteBuffer, from start: Int) {
        let end = buffer.writerIndex
        guard end > start else { return }
        let needsEscape = buffer.withUnsafeReadableBytes { all -> Bool in
            let base = start - buffer.readerIndex
            for i in base..<(base + end - start) where all[i] < 0x20 || all[i] == 0x22 || all[i] == 0x5C {
                return true
            }
            return false
        }
        guard needsEscape else { return }
        let raw = buffer.getBytes(at: start, length: end - start) ?? []
        buffer.moveWriterIndex(to: start)
        for byte in raw {
            switch byte {
            case 0x22: buffer.writeBytes([0x5C, 0x22])
            case 0x5C: buffer.writeBytes([0x5C, 0x5C])
            case 0x0A: buffer.writeBytes([0x5C, UInt8(ascii: "n")])
            case 0x0D: buffer.writeBytes([0x5C, UInt8(ascii: "r")])
            case 0x09: buffer.writeBytes([0x5C, UInt8(ascii: "t")])
            case 0x08: buffer.writeBytes([0x5C, UInt8(ascii: "b")])
            case 0x0C: buffer.writeBytes([0x5C, UInt8(ascii: "f")])
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                buffer.writeBytes([0x5C, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: buffer.writeInteger(byte)
            }
        }
    }

    /// A JSON string literal (quotes included) for a constant known at compile time.
    static func jsonString(_ string: String) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(ascii: "\""))
        let start = buffer.writerIndex
        buffer.writeString(string)
        escapeJSON(in: &buffer, from: start)
        buffer.writeInteger(UInt8(ascii: "\""))
        return Array(buffer.readableBytesView)
    }
}
