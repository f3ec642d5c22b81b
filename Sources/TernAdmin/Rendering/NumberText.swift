import Foundation

/// Doubles printed as Envoy's admin prints them with fmt: `{}` is the shortest round-trip form
/// (`-1`, `99.5`), `{:g}` is six significant digits (`99.1235`).
enum NumberText {
    /// fmt's `{}` for a double.
    static func shortest(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    /// fmt's `{:g}` (C's `%g`).
    static func g(_ d: Double) -> String {
        String(format: "%g", d)
    }
}
