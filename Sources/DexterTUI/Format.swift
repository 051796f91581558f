import Foundation
import DexterCore

enum Format {
    /// "$1,234.56" with a sign when asked.
    static func usd(_ value: FixedDecimal, signed: Bool = false) -> String {
        let sign = value.isNegative ? "-" : (signed && value.isPositive ? "+" : "")
        return sign + "$" + value.magnitude.formatted(digits: 2, grouping: true)
    }

    /// A quantity with digits enough for its size: 12.3456, 0.004512, 1,234.5.
    static func quantity(_ value: FixedDecimal) -> String {
        let magnitude = value.magnitude.doubleValue
        let digits = magnitude >= 1000 ? 2 : magnitude >= 1 ? 4 : 6
        return value.formatted(digits: min(digits, max(value.significantFractionDigits, magnitude >= 1 ? 2 : 4)), grouping: true)
    }

    static func price(_ value: FixedDecimal) -> String {
        let magnitude = value.magnitude.doubleValue
        return value.formatted(digits: magnitude >= 1000 ? 2 : magnitude >= 1 ? 4 : 6, grouping: true)
    }

    static func age(_ duration: Duration) -> String {
        let millis = duration.nanosecondsClamped / 1_000_000
        if millis < 1000 { return "\(max(0, millis))ms" }
        if millis < 60_000 { return String(format1(Double(millis) / 1000)) + "s" }
        return "\(millis / 60_000)m"
    }

    /// Whole seconds ("<1s", "4s", "2m"): the table's age column changes once a second, not every frame. The
    /// detail panel keeps the exact age.
    static func coarseAge(_ duration: Duration) -> String {
        let seconds = duration.nanosecondsClamped / 1_000_000_000
        if seconds < 1 { return "<1s" }
        if seconds < 60 { return "\(seconds)s" }
        return "\(seconds / 60)m"
    }

    static func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// 0.0312 → "3.1%".
    static func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

    static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1_000_000 { return format1(value / 1_000_000) + "M" }
        if magnitude >= 10_000 { return format1(value / 1000) + "k" }
        return FixedDecimal(approximating: value).formatted(digits: 2, grouping: true)
    }
}
