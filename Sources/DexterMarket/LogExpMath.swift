import BigInt

/// Balancer's `LogExpMath`: x^y, e^x and ln x on 18-decimal fixed point, in the contract's integer steps, so that
/// weighted-pool results match the chain to the last unit. Every division truncates toward zero, as Solidity's
/// signed division does (and BigInt's).
public enum LogExpMath {
    static let one18 = BigInt(10).power(18)
    static let one20 = BigInt(10).power(20)
    static let one36 = BigInt(10).power(36)
    static let maxNaturalExponent = 130 * one18
    static let minNaturalExponent = -41 * one18
    static let ln36LowerBound = one18 - BigInt(10).power(17)
    static let ln36UpperBound = one18 + BigInt(10).power(17)
    static let mildExponentBound = (BigInt(1) << 254) / one20

    // x_n = 2^(7−n) and a_n = e^(x_n): the first two with no decimals, the rest with 20.
    static let x0 = BigInt("128000000000000000000", radix: 10)!
    static let a0 = BigInt("38877084059945950922200000000000000000000000000000000000", radix: 10)!
    static let x1 = BigInt("64000000000000000000", radix: 10)!
    static let a1 = BigInt("6235149080811616882910000000", radix: 10)!
    static let terms: [(x: BigInt, a: BigInt)] = [
        ("3200000000000000000000", "7896296018268069516100000000000000"),
        ("1600000000000000000000", "888611052050787263676000000"),
        ("800000000000000000000", "298095798704172827474000"),
        ("400000000000000000000", "5459815003314423907810"),
        ("200000000000000000000", "738905609893065022723"),
        ("100000000000000000000", "271828182845904523536"),
        ("50000000000000000000", "164872127070012814685"),
        ("25000000000000000000", "128402541668774148407"),
        ("12500000000000000000", "113314845306682631683"),
        ("6250000000000000000", "106449445891785942956"),
    ].map { (BigInt($0.0, radix: 10)!, BigInt($0.1, radix: 10)!) }

    /// x^y for unsigned 18-decimal x and y; reverts (throws) where the contract does.
    public static func pow(_ x: BigUInt, _ y: BigUInt) throws(PoolMathError) -> BigUInt {
        if y == 0 { return BigUInt(one18) }
        if x == 0 { return 0 }
        guard x >> 255 == 0 else { throw .overflow }           // BAL#006 X_OUT_OF_BOUNDS
        guard BigInt(y) < mildExponentBound else { throw .overflow } // BAL#007 Y_OUT_OF_BOUNDS
        let xSigned = BigInt(x)
        let ySigned = BigInt(y)
        var logXTimesY: BigInt
        if ln36LowerBound < xSigned && xSigned < ln36UpperBound {
            let ln36 = ln36(xSigned)
            // Two 18-decimal products: the high 18 decimals of ln36, then the low ones downscaled.
            logXTimesY = (ln36 / one18) * ySigned + ((ln36 % one18) * ySigned) / one18
        } else {
            logXTimesY = ln(positive: xSigned) * ySigned
        }
        logXTimesY /= one18
        guard minNaturalExponent <= logXTimesY && logXTimesY <= maxNaturalExponent else {
            throw .overflow // BAL#008 PRODUCT_OUT_OF_BOUNDS
        }
        return BigUInt(try exp(logXTimesY))
    }

    /// e^x for signed 18-decimal x in [−41, 130].
    public static func exp(_ value: BigInt) throws(PoolMathError) -> BigInt {
        guard value >= minNaturalExponent && value <= maxNaturalExponent else { throw .overflow } // BAL#009
        if value < 0 { return (one18 * one18) / (try exp(-value)) }
        var x = value
        let firstAN: BigInt
        if x >= x0 {
            x -= x0
            firstAN = a0
        } else if x >= x1 {
            x -= x1
            firstAN = a1
        } else {
            firstAN = 1
        }
        x *= 100
        var product = one20
        for term in terms.prefix(8) where x >= term.x {
            x -= term.x
            product = (product * term.a) / one20
        }
        // Taylor series of e^x for the small remainder: 12 terms.
        var seriesSum = one20
        var term = x
        seriesSum += term
        for n in 2...12 {
            term = ((term * x) / one20) / BigInt(n)
            seriesSum += term
        }
        return (((product * seriesSum) / one20) * firstAN) / 100
    }

    /// ln a for signed 18-decimal a > 0, as `LogExpMath.ln`.
    public static func ln(_ a: BigInt) throws(PoolMathError) -> BigInt {
        guard a > 0 else { throw .priceOutOfRange } // BAL#100 OUT_OF_BOUNDS
        if ln36LowerBound < a && a < ln36UpperBound { return ln36(a) / one18 }
        return ln(positive: a)
    }

    private static func ln(positive value: BigInt) -> BigInt {
        if value < one18 { return -ln(positive: (one18 * one18) / value) }
        var a = value
        var sum = BigInt(0)
        if a >= a0 * one18 {
            a /= a0
            sum += x0
        }
        if a >= a1 * one18 {
            a /= a1
            sum += x1
        }
        sum *= 100
        a *= 100
        for term in terms where a >= term.a {
            a = (a * one20) / term.a
            sum += term.x
        }
        // 6 terms at 20 decimals.
        return (sum + lnSeries(a, one: one20, lastDivisor: 11)) / 100
    }

    /// ln x at 36 decimals for x near one: 8 terms of the same series.
    private static func ln36(_ value: BigInt) -> BigInt { lnSeries(value * one18, one: one36, lastDivisor: 15) }

    /// ln(a) = 2 (z + z³/3 + z⁵/5 + …) with z = (a − 1)/(a + 1), `a` fixed point with `one` as unity, to z^lastDivisor.
    private static func lnSeries(_ a: BigInt, one: BigInt, lastDivisor: Int) -> BigInt {
        let z = ((a - one) * one) / (a + one)
        let zSquared = (z * z) / one
        var numerator = z
        var seriesSum = numerator
        for divisor in stride(from: 3, through: lastDivisor, by: 2) {
            numerator = (numerator * zSquared) / one
            seriesSum += numerator / BigInt(divisor)
        }
        return seriesSum * 2
    }
}
