/// Huffman-codes string literals with the code of RFC 7541 Appendix B (§5.2).
enum HPACKHuffmanEncoder {
    /// Octets `bytes` take once coded, padding included. The encoder calls this first to decide
    /// whether coding is worth it.
    static func encodedLength(of bytes: UnsafeRawBufferPointer) -> Int {
        HPACKHuffmanCode.lengths.withUnsafeBufferPointer { lengths in
            var bits = 0
            for byte in bytes {
                bits &+= Int(lengths[Int(byte)])
            }
            return (bits + 7) >> 3
        }
    }

    /// Codes `bytes` into the start of `output`, which holds at least `encodedLength(of: bytes)`
    /// octets, padding the last octet with the high bits of EOS (all ones).
    static func encode(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        HPACKHuffmanCode.codes.withUnsafeBufferPointer { codes in
            HPACKHuffmanCode.lengths.withUnsafeBufferPointer { lengths in
                // Bits not yet written sit in the low `pending` bits of `accumulator`. They are
                // written 32 at a time, a store per word rather than per octet; fewer than 32 wait
                // and codes are at most 30 bits, so 64 bits always hold them.
                var accumulator: UInt64 = 0
                var pending: UInt64 = 0
                var out = 0
                for byte in bytes {
                    let length = UInt64(lengths[Int(byte)])
                    accumulator = accumulator &<< length | UInt64(codes[Int(byte)])
                    pending &+= length
                    if pending >= 32 {
                        pending &-= 32
                        let word = UInt32(truncatingIfNeeded: accumulator &>> pending)
                        output.storeBytes(of: word.bigEndian, toByteOffset: out, as: UInt32.self)
                        out &+= 4
                    }
                }
                while pending >= 8 {
                    pending &-= 8
                    output[out] = UInt8(truncatingIfNeeded: accumulator &>> pending)
                    out &+= 1
                }
                if pending > 0 {
                    let padding = 8 &- pending
                    output[out] = UInt8(truncatingIfNeeded: (accumulator &<< padding) | ((1 &<< padding) &- 1))
                }
            }
        }
    }
}
