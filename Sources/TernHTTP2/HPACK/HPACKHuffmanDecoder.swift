/// Decodes Huffman-coded string literals (RFC 7541 §5.2) a whole input octet per table step.
///
/// The states are the 256 internal nodes of the Appendix B code tree (root = state 0). For each
/// state and input octet, `transitions` holds the state after those 8 bits, the symbols they
/// complete (at most two: codes are at least 5 bits), whether they run into EOS, and whether the
/// new state is a valid end of string. The table (256 KiB) is built once from
/// `HPACKHuffmanCode`; in practice only the few states near the root are hot.
enum HPACKHuffmanDecoder {
    // Layout of one transition: bits 0–7 next state, 8–15 first symbol, 16–23 second symbol,
    // 24–25 number of symbols, 26 EOS seen, 27 next state may end the string.
    private static let symbolCountShift: UInt32 = 24
    private static let eosFlag: UInt32 = 1 << 26
    private static let acceptFlag: UInt32 = 1 << 27

    /// Upper bound on the decoded length of `count` coded octets (every code is ≥ 5 bits).
    @inline(__always)
    static func maxDecodedLength(_ count: Int) -> Int {
        count * 8 / 5
    }

    /// Decodes `input`, writing the octets to `output` when it is non-nil (it then holds at
    /// least `maxDecodedLength(input.count)` octets), and returns the decoded length. With a nil
    /// `output` this only measures and validates, for fields the decoder is discarding.
    static func decode(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>?
    ) throws(HPACKError) -> Int {
        let result = transitions.withUnsafeBufferPointer { table -> Int in
            var state: UInt32 = 0
            var accepting = true
            var written = 0
            for byte in input {
                let step = table[Int(state << 8 | UInt32(byte))]
                if step & eosFlag != 0 {
                    return -1
                }
                let symbols = Int(step >> symbolCountShift & 3)
                if let output, symbols > 0 {
                    output[written] = UInt8(truncatingIfNeeded: step >> 8)
                    if symbols == 2 {
                        output[written + 1] = UInt8(truncatingIfNeeded: step >> 16)
                    }
                }
                written += symbols
                state = step & 0xFF
                accepting = step & acceptFlag != 0
            }
            return accepting ? written : -2
        }
        switch result {
        case -1: throw .huffmanEOS
        case -2: throw .invalidHuffmanPadding
        default: return result
        }
    }

    // MARK: - Building the table

    /// `transitions[state << 8 | octet]`, laid out as described above.
    private static let transitions: [UInt32] = {
        let tree = CodeTree()
        var table = [UInt32](repeating: 0, count: 256 * 256)
        for state in 0..<256 {
            for octet in 0..<256 {
                var node = state
                var symbols: [Int] = []
                var sawEOS = false
                for bit in (0..<8).reversed() {
                    let child = tree.children[node][(octet >> bit) & 1]
                    if child >= 0 {
                        node = child
                    } else if -child - 1 == HPACKHuffmanCode.endOfString {
                        sawEOS = true
                        break
                    } else {
                        symbols.append(-child - 1)
                        node = 0
                    }
                }
                var step = UInt32(node) | UInt32(symbols.count) << symbolCountShift
                for (i, symbol) in symbols.enumerated() {
                    step |= UInt32(symbol) << (8 + 8 * UInt32(i))
                }
                if sawEOS { step |= eosFlag }
                if tree.acceptingStates.contains(node) { step |= acceptFlag }
                table[state << 8 | octet] = step
            }
        }
        return table
    }()

    /// The Appendix B code as a binary tree, only needed while building `transitions`.
    private struct CodeTree {
        /// `children[node][bit]`: an internal node (≥ 0) or a leaf, `-(symbol + 1)`.
        var children: [[Int]] = [[0, 0]]
        /// States where the bits since the last symbol are valid padding: the root, or up to 7
        /// ones below it (a prefix of EOS no longer than 7 bits).
        var acceptingStates: Set<Int> = [0]

        init() {
            for symbol in 0...HPACKHuffmanCode.endOfString {
                let code = HPACKHuffmanCode.codes[symbol]
                let length = Int(HPACKHuffmanCode.lengths[symbol])
                var node = 0
                for bitIndex in (0..<length).reversed() {
                    let bit = Int(code >> UInt32(bitIndex)) & 1
                    if bitIndex == 0 {
                        children[node][bit] = -(symbol + 1)
                    } else {
                        if children[node][bit] == 0 {
                            children.append([0, 0])
                            children[node][bit] = children.count - 1
                        }
                        node = children[node][bit]
                    }
                }
            }
            // 256 internal nodes for 257 leaves, so every state fits the transition's 8 bits.
            precondition(children.count == 256, "Appendix B code is not a complete prefix code")
            var node = 0
            for _ in 0..<7 {
                node = children[node][1]
                acceptingStates.insert(node)
            }
        }
    }
}
