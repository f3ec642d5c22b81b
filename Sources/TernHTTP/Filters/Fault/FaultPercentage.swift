import Foundation
import NIOHTTP1
import TernConfig

/// A compiled `envoy.type.v3.FractionalPercent` as the fault filter uses it: a numerator over
/// 100, 10 000 or 1 000 000, optionally lowered per request by a header
/// (`x-envoy-fault-abort-request-percentage`, `x-envoy-fault-delay-request-percentage`).
struct FaultPercentage: Sendable {
    let numerator: UInt32
    let denominator: UInt32
    /// The header that may lower the numerator (header-controlled faults only), lowercased.
    let header: String?

    init(numerator: UInt32, denominator: UInt32, header: String? = nil) {
        self.numerator = numerator
        self.denominator = denominator
        self.header = header
    }

    /// An absent `percentage` is Envoy's default message: 0 of HUNDRED, so the fault never fires.
    init(proto: Envoy_Type_V3_FractionalPercent?, header: String?, path: String) throws {
        let fraction = try FractionalPercent(proto ?? Envoy_Type_V3_FractionalPercent(), path: path)
        numerator = fraction.numerator
        denominator = fraction.denominator
        self.header = header
    }

    /// The numerator for this request: the header's value when it parses and is lower than the
    /// configured one (Envoy never lets a header raise it), else the configured numerator.
    func numerator(for headers: HTTPHeaders) -> UInt32 {
        guard let header, let raw = headers.first(name: header),
              let fromHeader = UInt32(raw.trimmingCharacters(in: .whitespaces)) else { return numerator }
        return min(fromHeader, numerator)
    }

    /// Envoy's `evaluateFractionalPercent`: a uniform draw below the denominator hits when it is
    /// under the numerator.
    func sample(_ headers: HTTPHeaders, random: WorkerRandom) -> Bool {
        FractionalPercent(numerator: numerator, denominator: denominator).sample(random, numerator: numerator(for: headers))
    }
}
