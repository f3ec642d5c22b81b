import TernConfig

/// A compiled `envoy.type.v3.FractionalPercent` (a numerator over 100, 10 000 or 1 000 000), as
/// filters and routes sample it per request. A `RuntimeFractionalPercent` compiles to its
/// `default_value`: Tern has no runtime.
public struct FractionalPercent: Sendable, Equatable {
    public let numerator: UInt32
    public let denominator: UInt32

    public init(numerator: UInt32, denominator: UInt32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Errors name `path.denominator`.
    package init(_ p: Envoy_Type_V3_FractionalPercent, path: String) throws {
        switch p.denominator {
        case .hundred: denominator = 100
        case .tenThousand: denominator = 10_000
        case .million: denominator = 1_000_000
        case .UNRECOGNIZED(let v): throw CompileError(path + ".denominator", "unknown denominator \(v)")
        }
        numerator = p.numerator
    }

    /// `runtime_fraction`-style fields: the default value decides.
    package init(runtime p: Envoy_Config_Core_V3_RuntimeFractionalPercent, path: String) throws {
        try self.init(p.defaultValue, path: path + ".default_value")
    }

    /// Whether a uniform `draw` falls in the fraction (Envoy's `evaluateFractionalPercent`:
    /// `draw % denominator < numerator`); `numerator` may be lowered per request.
    public func hits(_ draw: UInt64, numerator n: UInt32? = nil) -> Bool {
        let n = n ?? numerator
        if n == 0 { return false }
        if n >= denominator { return true }
        return draw % UInt64(denominator) < UInt64(n)
    }

    /// Samples this request with the worker's generator.
    func sample(_ random: WorkerRandom, numerator n: UInt32? = nil) -> Bool {
        let n = n ?? numerator
        if n == 0 { return false }
        if n >= denominator { return true }
        return random.next(below: Int(denominator)) < Int(n)
    }
}
