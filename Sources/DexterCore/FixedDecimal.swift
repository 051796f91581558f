/// An exact decimal with 18 fractional digits, stored as a signed 128-bit count of 10⁻¹⁸ units.
///
/// Booked and sent money uses this type and never `Double` (DESIGN.md, Numbers). The range is ±1.7 × 10²⁰,
/// far beyond any balance or price the desk handles; arithmetic that leaves it traps instead of wrapping.
/// Multiplication and division keep 18 digits and truncate toward zero, the way a venue truncates an amount.
public struct FixedDecimal: Sendable, Hashable, Comparable {
    public static let fractionDigits = 18
    public static let unit: Int128 = 1_000_000_000_000_000_000

    /// The value times 10¹⁸.
    public var raw: Int128

    public init(raw: Int128) { self.raw = raw }

    public init(_ integer: Int) { self.raw = Int128(integer) * Self.unit }

    /// `units × 10^-decimals`, for amounts given in base units (wei, satoshi, lamports).
    public init(units: Int128, decimals: Int) {
        precondition((0...Self.fractionDigits).contains(decimals), "decimals \(decimals) outside 0...18")
        self.raw = units * Self.pow10(Self.fractionDigits - decimals)
    }

    /// The nearest representable value to `double`. Only for generated or screened values, never for booking.
    public init(approximating double: Double) {
        precondition(double.isFinite, "non-finite value \(double)")
        self.raw = Int128((double * 1e18).rounded())
    }

    public static let zero = FixedDecimal(raw: 0)
    public static let one = FixedDecimal(raw: unit)

    public var isZero: Bool { raw == 0 }
    public var isNegative: Bool { raw < 0 }
    public var isPositive: Bool { raw > 0 }
    public var magnitude: FixedDecimal { FixedDecimal(raw: raw < 0 ? -raw : raw) }
    /// The nearest `Double`, for screening. Converted from the two 64-bit halves: the standard library's
    /// `Double(Int128)` takes a generic path that costs more than the rest of a book update.
    @inlinable public var doubleValue: Double {
        if let small = Int64(exactly: raw) { return Double(small) / 1e18 }
        let high = Double(Int64(truncatingIfNeeded: raw >> 64))
        let low = Double(UInt64(truncatingIfNeeded: raw))
        return (high * 18_446_744_073_709_551_616.0 + low) / 1e18
    }

    /// The amount in base units of a token with `decimals` decimals, truncated toward zero.
    public func units(decimals: Int) -> Int128 { raw / Self.pow10(Self.fractionDigits - decimals) }

    public static func pow10(_ exponent: Int) -> Int128 {
        precondition((0...38).contains(exponent))
        var result: Int128 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    public static func < (lhs: FixedDecimal, rhs: FixedDecimal) -> Bool { lhs.raw < rhs.raw }
}

// MARK: - Arithmetic

extension FixedDecimal: AdditiveArithmetic {
    public static func + (lhs: FixedDecimal, rhs: FixedDecimal) -> FixedDecimal { FixedDecimal(raw: lhs.raw + rhs.raw) }
    public static func - (lhs: FixedDecimal, rhs: FixedDecimal) -> FixedDecimal { FixedDecimal(raw: lhs.raw - rhs.raw) }
    public static prefix func - (value: FixedDecimal) -> FixedDecimal { FixedDecimal(raw: -value.raw) }
    public static func += (lhs: inout FixedDecimal, rhs: FixedDecimal) { lhs.raw += rhs.raw }
    public static func -= (lhs: inout FixedDecimal, rhs: FixedDecimal) { lhs.raw -= rhs.raw }
}

extension FixedDecimal {
    /// The product, truncated toward zero at 18 digits.
    public static func * (lhs: FixedDecimal, rhs: FixedDecimal) -> FixedDecimal {
        // Most products (a price times a quantity) fit 128 bits before rescaling; only the rest needs 256.
        let (product, overflow) = lhs.raw.multipliedReportingOverflow(by: rhs.raw)
        if !overflow { return FixedDecimal(raw: product / unit) }
        let wide = lhs.raw.multipliedFullWidth(by: rhs.raw)
        return FixedDecimal(raw: unit.dividingFullWidth(wide).quotient)
    }

    /// The quotient, truncated toward zero at 18 digits. Division by zero traps.
    public static func / (lhs: FixedDecimal, rhs: FixedDecimal) -> FixedDecimal {
        precondition(rhs.raw != 0, "FixedDecimal division by zero")
        let wide = lhs.raw.multipliedFullWidth(by: unit)
        return FixedDecimal(raw: rhs.raw.dividingFullWidth(wide).quotient)
    }

    public static func * (lhs: FixedDecimal, rhs: Int) -> FixedDecimal { FixedDecimal(raw: lhs.raw * Int128(rhs)) }

    /// `self + other`, or nil where `+` would trap: for numbers from outside (a venue's), refused, not trapped on.
    public func addingIfInRange(_ other: FixedDecimal) -> FixedDecimal? {
        let (sum, overflow) = raw.addingReportingOverflow(other.raw)
        return overflow ? nil : FixedDecimal(raw: sum)
    }

    /// `self * other`, or nil where `*` would trap: for numbers from outside (a venue's), refused, not trapped on.
    public func multipliedIfInRange(by other: FixedDecimal) -> FixedDecimal? {
        let (high, low) = raw.magnitude.multipliedFullWidth(by: other.raw.magnitude)
        let unit = UInt128(Self.unit)
        // The quotient by 10¹⁸ fits 128 bits only while the high half is below the divisor.
        guard high < unit, let magnitude = Int128(exactly: unit.dividingFullWidth((high, low)).quotient) else {
            return nil
        }
        return FixedDecimal(raw: (raw < 0) != (other.raw < 0) ? -magnitude : magnitude)
    }

    public static func min(_ a: FixedDecimal, _ b: FixedDecimal) -> FixedDecimal { a < b ? a : b }
    public static func max(_ a: FixedDecimal, _ b: FixedDecimal) -> FixedDecimal { a > b ? a : b }
}

// MARK: - Rounding

extension FixedDecimal {
    public enum RoundingRule: Sendable {
        /// Toward negative infinity.
        case down
        /// Toward positive infinity.
        case up
        /// Toward zero: how a venue truncates an order amount.
        case towardZero
        /// To the nearest multiple, ties to even.
        case nearestEven
        /// To the nearest multiple, ties away from zero ("half-up" in magnitude, as venues book fees).
        case nearestAwayFromZero
    }

    /// The value rounded to a multiple of `step` (a tick or a lot size).
    public func rounded(toMultipleOf step: FixedDecimal, _ rule: RoundingRule = .towardZero) -> FixedDecimal {
        precondition(step.raw > 0, "rounding step must be positive")
        let (quotient, remainder) = raw.quotientAndRemainder(dividingBy: step.raw)
        if remainder == 0 { return self }
        var multiple = quotient
        switch rule {
        case .towardZero: break
        case .down: if raw < 0 { multiple -= 1 }
        case .up: if raw > 0 { multiple += 1 }
        case .nearestEven:
            let twice = remainder.magnitude * 2
            let stepMagnitude = step.raw.magnitude
            if twice > stepMagnitude || (twice == stepMagnitude && quotient % 2 != 0) {
                multiple += raw < 0 ? -1 : 1
            }
        case .nearestAwayFromZero:
            if remainder.magnitude * 2 >= step.raw.magnitude { multiple += raw < 0 ? -1 : 1 }
        }
        return FixedDecimal(raw: multiple * step.raw)
    }

    /// The value with at most `digits` fractional digits.
    public func rounded(digits: Int, _ rule: RoundingRule = .nearestEven) -> FixedDecimal {
        rounded(toMultipleOf: FixedDecimal(raw: Self.pow10(Self.fractionDigits - digits)), rule)
    }

    /// The number of fractional digits the value needs (0 for an integer).
    public var significantFractionDigits: Int {
        var remainder = raw % Self.unit
        if remainder == 0 { return 0 }
        var digits = Self.fractionDigits
        while remainder % 10 == 0 { remainder /= 10; digits -= 1 }
        return digits
    }
}
