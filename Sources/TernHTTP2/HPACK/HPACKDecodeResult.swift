/// What decoding one complete header block produced.
package enum HPACKDecodeResult {
    /// Every field of the block, in order, each with the indexing its representation asked for.
    case headers(HTTP2Fields)
    /// The block's decoded size (RFC 9113 §6.5.2) passed the caller's limit. The whole block was
    /// still decoded, so the dynamic table is in step and the connection can go on.
    case tooLarge
}
