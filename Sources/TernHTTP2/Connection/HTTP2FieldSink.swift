package import NIOHPACK

/// Takes a header block's fields one at a time for `HTTP2Codec.writeHeaders(_:endStream:fields:)`:
/// straight into the codec's HPACK encoder, or, for a block that must wait, into a list.
package struct HTTP2FieldSink {
    /// The codec whose encoder takes the fields; it outlives the sink, which lives only for
    /// the call that writes the block. Unmanaged: binding even an unowned(unsafe) reference
    /// retains it, once per field.
    private let codec: Unmanaged<HTTP2Codec>?
    private(set) var collected = HPACKHeaders()

    init(codec: HTTP2Codec?) { self.codec = codec.map { Unmanaged.passUnretained($0) } }

    /// A sink that only collects: the fields as `HPACKHeaders`.
    package static func collecting() -> HTTP2FieldSink { HTTP2FieldSink(codec: nil) }

    /// What a collecting sink took.
    package var fields: HPACKHeaders { collected }

    /// One field; `name` is lower case.
    package mutating func append(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, indexing: HPACKIndexing = .indexable) {
        if let codec {
            codec._withUnsafeGuaranteedRef { $0.encoder.append(name: name, value: value, indexing: indexing, into: &$0.blockScratch) }
        } else {
            collected.add(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self), indexing: indexing)
        }
    }

    /// One field from Strings (`name` lower case).
    package mutating func append(name: String, value: String, indexing: HPACKIndexing = .indexable) {
        HPACKBytes.withUTF8(name) { n in HPACKBytes.withUTF8(value) { v in append(name: n, value: v, indexing: indexing) } }
    }
}
