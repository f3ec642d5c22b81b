import TernConfig

/// A `RuntimeFractionalPercent` without a runtime: Tern has none, so `default_value` decides
/// (numerator over 100, 10 000 or 1 000 000; 0 never, the whole or more always).
struct RuntimeFraction: Sendable {
    let numerator: UInt32
    let denominator: UInt32

    init(proto: Envoy_Config_Core_V3_RuntimeFractionalPercent, path: String) throws {
        let p = proto.defaultValue
        switch p.denominator {
        case .hundred: denominator = 100
        case .tenThousand: denominator = 10_000
        case .million: denominator = 1_000_000
        case .UNRECOGNIZED(let v): throw CompileError(path + ".default_value.denominator", "unknown denominator \(v)")
        }
        numerator = p.numerator
    }

    /// Whether this request falls in the fraction.
    func sample() -> Bool {
        if numerator == 0 { return false }
        if numerator >= denominator { return true }
        return UInt32.random(in: 0..<denominator) < numerator
    }
}
