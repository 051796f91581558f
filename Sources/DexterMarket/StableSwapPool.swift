import BigInt
import DexterCore

/// A Curve StableSwap plain pool with `A_PRECISION` = 100: `get_D`, `get_y`, `get_dy` and (KyberSwap's older
/// form of) `get_dx`, in the contract's integer arithmetic. For the pair, coin `baseIndex` is the base and coin
/// `quoteIndex` the quote (0 and 1 unless said): the coins keep the contract's order, since its loops round in that
/// order.
public struct StableSwapPool: Sendable, Hashable {
    public static let aPrecision = BigUInt(100)
    public static let feeDenominator = BigUInt(10_000_000_000)
    public static let precision = BigUInt(10).power(18)

    public var balances: [BigUInt]
    /// 1e18-scaled multipliers that bring each coin to 18 decimals: 10^(36 − decimals) for a plain pool.
    public let rates: [BigUInt]
    /// A × A_PRECISION.
    public let amplification: BigUInt
    /// Fee over 1e10: 4_000_000 = 0.04 %.
    public let fee: BigUInt
    public let decimals: [Int]
    public let baseIndex: Int
    public let quoteIndex: Int

    public init(balances: [BigUInt], decimals: [Int], amplification: BigUInt, fee: BigUInt, rates: [BigUInt]? = nil,
                baseIndex: Int = 0, quoteIndex: Int = 1) {
        precondition(baseIndex != quoteIndex && balances.indices.contains(baseIndex)
                         && balances.indices.contains(quoteIndex), "base and quote are two of the pool's coins")
        self.baseIndex = baseIndex
        self.quoteIndex = quoteIndex
        self.balances = balances
        self.decimals = decimals
        self.amplification = amplification
        self.fee = fee
        self.rates = rates ?? decimals.map { BigUInt(10).power(36 - $0) }
    }

    var coinCount: BigUInt { BigUInt(balances.count) }

    public var baseDecimals: Int { decimals[baseIndex] }
    public var quoteDecimals: Int { decimals[quoteIndex] }

    /// The same pool charging no fee (to report a quote's fee apart).
    public var feeless: StableSwapPool {
        StableSwapPool(balances: balances, decimals: decimals, amplification: amplification, fee: 0, rates: rates,
                       baseIndex: baseIndex, quoteIndex: quoteIndex)
    }

    public var normalizedBalances: [BigUInt] { zip(balances, rates).map { $0 * $1 / Self.precision } }

    /// A product as Vyper computes it: past 2^256 − 1 the contract reverts.
    static func checked(_ value: BigUInt) throws -> BigUInt {
        guard value <= ConcentratedLiquidityMath.max256 else { throw PoolMathError.overflow }
        return value
    }

    public static func invariant(_ xp: [BigUInt], amplification: BigUInt) throws -> BigUInt {
        let n = BigUInt(xp.count)
        let sum = xp.reduce(BigUInt(0), +)
        if sum == 0 { return 0 }
        var d = sum
        let ann = amplification * n
        guard ann > aPrecision else { throw PoolMathError.insufficientLiquidity }
        for _ in 0..<255 {
            var dP = d
            for x in xp {
                guard x > 0 else { throw PoolMathError.divisionByZero }
                dP = try checked(dP * d) / (x * n)
            }
            let previous = d
            let numerator = try checked((ann * sum / aPrecision + dP * n) * d)
            let denominator = (ann - aPrecision) * d / aPrecision + (n + 1) * dP
            d = numerator / denominator
            if d > previous ? d - previous <= 1 : previous - d <= 1 { return d }
        }
        throw PoolMathError.didNotConverge
    }

    /// `get_y`: the new balance of coin `j` when coin `i` is set to `x`, keeping D.
    public func solveY(i: Int, j: Int, x: BigUInt, xp: [BigUInt]) throws -> BigUInt {
        precondition(i != j && xp.indices.contains(i) && xp.indices.contains(j))
        let n = coinCount
        let d = try Self.invariant(xp, amplification: amplification)
        let ann = amplification * n
        var c = d
        var sum = BigUInt(0)
        for k in xp.indices where k != j {
            let value = k == i ? x : xp[k]
            guard value > 0 else { throw PoolMathError.divisionByZero }
            sum += value
            c = try Self.checked(c * d) / (value * n)
        }
        c = try Self.checked(c * d * Self.aPrecision) / (ann * n)
        let b = sum + d * Self.aPrecision / ann
        var y = d
        for _ in 0..<255 {
            let previous = y
            let denominator = 2 * y + b
            guard denominator > d else { throw PoolMathError.divisionByZero }
            y = try Self.checked(y * y + c) / (denominator - d)
            if y > previous ? y - previous <= 1 : previous - y <= 1 { return y }
        }
        throw PoolMathError.didNotConverge
    }

    /// `get_dy`: coin `j` units received for `dx` units of coin `i`, after the fee.
    public func amountOut(i: Int, j: Int, dx: BigUInt) throws -> BigUInt {
        let xp = normalizedBalances
        let x = xp[i] + dx * rates[i] / Self.precision
        let y = try solveY(i: i, j: j, x: x, xp: xp)
        guard xp[j] > y + 1 else { throw PoolMathError.insufficientLiquidity }
        let dy = xp[j] - y - 1
        let feeAmount = fee * dy / Self.feeDenominator
        return (dy - feeAmount) * Self.precision / rates[j]
    }

    /// `get_dx` in the older Curve form: coin `i` units needed to receive `dy` units of coin `j`.
    public func amountIn(i: Int, j: Int, dy: BigUInt) throws -> BigUInt {
        let xp = normalizedBalances
        let grossDy = dy * Self.feeDenominator / (Self.feeDenominator - fee) * rates[j] / Self.precision
        guard xp[j] > grossDy else { throw PoolMathError.insufficientLiquidity }
        let x = try solveY(i: j, j: i, x: xp[j] - grossDy, xp: xp)
        guard x > xp[i] else { throw PoolMathError.insufficientInputAmount }
        return (x - xp[i]) * Self.precision / rates[i]
    }

    /// Price and depth for `Double` screening, from the exact curve: the marginal rate around the current point
    /// stands in as a constant-product curve with the same slope. Good for screening; sizes are re-solved exactly.
    public var screen: CurveScreen {
        let baseScale = pow10(baseDecimals)
        let quoteScale = pow10(quoteDecimals)
        let baseBalance = Double(balances[baseIndex]) / baseScale
        let quoteBalance = Double(balances[quoteIndex]) / quoteScale
        // A probe of 0.01 % of the base balance measures the curve's marginal rate; its curvature is matched by
        // a constant-product curve whose depth is amplified by A, the way StableSwap flattens the curve.
        let a = Double(amplification / Self.aPrecision)
        let depth = (baseBalance + quoteBalance) / 2 * max(1, a)
        let probe = max(1, balances[baseIndex] / 10_000)
        let rate: Double
        if let out = try? amountOut(i: baseIndex, j: quoteIndex, dx: probe), out > 0 {
            let gross = Double(out) / quoteScale / (Double(probe) / baseScale)
            rate = gross / (1 - Double(fee) / 1e10)
        } else {
            rate = quoteBalance / max(baseBalance, 1e-18)
        }
        return CurveScreen(
            base: depth, quote: depth * rate, gamma: 1 - Double(fee) / 1e10,
            maxBaseOut: baseBalance * 0.99, maxBaseIn: quoteBalance * 0.99 / max(rate, 1e-18))
    }
}
