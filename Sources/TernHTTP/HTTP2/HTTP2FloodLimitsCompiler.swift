import TernConfig

/// Compiles Envoy's five flood-limit fields of `http2_protocol_options`; each is at least 1, as
/// Envoy's validation requires (0 would refuse every frame).
enum HTTP2FloodLimitsCompiler {
    static func compile(_ p: Envoy_Config_Core_V3_Http2ProtocolOptions, path: String) throws -> HTTP2FloodLimits {
        var limits = HTTP2FloodLimits()
        func value(_ has: Bool, _ v: UInt32, _ field: String, min: UInt32) throws -> Int? {
            guard has else { return nil }
            guard v >= min else { throw CompileError("\(path).\(field)", "must be at least \(min), got \(v)") }
            return Int(v)
        }
        if let v = try value(p.hasMaxOutboundFrames, p.maxOutboundFrames.value, "max_outbound_frames", min: 1) {
            limits.maxOutboundFrames = v
        }
        if let v = try value(p.hasMaxOutboundControlFrames, p.maxOutboundControlFrames.value, "max_outbound_control_frames", min: 1) {
            limits.maxOutboundControlFrames = v
        }
        // Envoy allows 0 here: no empty frame at all.
        if let v = try value(p.hasMaxConsecutiveInboundFramesWithEmptyPayload, p.maxConsecutiveInboundFramesWithEmptyPayload.value,
                             "max_consecutive_inbound_frames_with_empty_payload", min: 0) {
            limits.maxConsecutiveInboundFramesWithEmptyPayload = v
        }
        if let v = try value(p.hasMaxInboundPriorityFramesPerStream, p.maxInboundPriorityFramesPerStream.value,
                             "max_inbound_priority_frames_per_stream", min: 0) {
            limits.maxInboundPriorityFramesPerStream = v
        }
        if let v = try value(p.hasMaxInboundWindowUpdateFramesPerDataFrameSent, p.maxInboundWindowUpdateFramesPerDataFrameSent.value,
                             "max_inbound_window_update_frames_per_data_frame_sent", min: 1) {
            limits.maxInboundWindowUpdateFramesPerDataFrameSent = v
        }
        return limits
    }
}
