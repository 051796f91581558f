import BigInt
import DexterCore

/// Balancer's `FixedPoint`: 18-decimal unsigned arithmetic with explicit rounding direction.
public enum BalancerFixedPoint {
    public static let one = BigUInt(10).power(18)
    /// Bound on LogExpMath's relative error (1e-14), added to or taken from every `pow` result.
    static let maxPowRelativeError = BigUInt(10_000)

    public static func mulDown(_ a: BigUInt, _ b: BigUInt) -> BigUInt { a * b / one }

    public static func mulUp(_ a: BigUInt, _ b: BigUInt) -> BigUInt {
        let product = a * b
        return product == 0 ? 0 : (product - 1) / one + 1
    }

    public static func divDown(_ a: BigUInt, _ b: BigUInt) throws(PoolMathError) -> BigUInt {
        guard b > 0 else { throw .divisionByZero }
        return a * one / b
    }

    public static func divUp(_ a: BigUInt, _ b: BigUInt) throws(PoolMathError) -> BigUInt {
        guard b > 0 else { throw .divisionByZero }
        return a == 0 ? 0 : (a * one - 1) / b + 1
    }

    public static func complement(_ x: BigUInt) -> BigUInt { x < one ? one - x : 0 }

    /// x^y rounded up: exact for exponents 1, 2 and 4, else LogExpMath plus its error bound.
    public static func powUp(_ x: BigUInt, _ y: BigUInt) throws(PoolMathError) -> BigUInt {
        if y == one { return x }
        if y == 2 * one { return mulUp(x, x) }
        if y == 4 * one {
            let square = mulUp(x, x)
            return mulUp(square, square)
        }
        let raw = try LogExpMath.pow(x, y)
        return raw + mulUp(raw, maxPowRelativeError) + 1
    }

    /// x^y rounded down.
    public static func powDown(_ x: BigUInt, _ y: BigUInt) throws(PoolMathError) -> BigUInt {
        if y == one { return x }
        if y == 2 * one { return mulDown(x, x) }
        if y == 4 * one {
            let square = mulDown(x, x)
            return mulDown(square, square)
        }
        let raw = try LogExpMath.pow(x, y)
        let maxError = mulUp(raw, maxPowRelativeError) + 1
        return raw < maxError ? 0 : raw - maxError
    }
}

/// Balancer's `WeightedMath` swap functions on 18-decimal balances: no fee here, the vault takes it.
public enum WeightedMath {
    /// A swap may not take in or send out more than 30 % of a balance (BAL#304 / BAL#305).
    public static let maxInRatio = BigUInt(3) * BigUInt(10).power(17)
    public static let maxOutRatio = BigUInt(3) * BigUInt(10).power(17)

    /// aO = bO · (1 − (bI / (bI + aI))^(wI / wO)), rounded against the trader.
    public static func outGivenIn(balanceIn: BigUInt, weightIn: BigUInt, balanceOut: BigUInt, weightOut: BigUInt,
                                  amountIn: BigUInt) throws(PoolMathError) -> BigUInt {
        guard amountIn <= BalancerFixedPoint.mulDown(balanceIn, maxInRatio) else { throw .maxRatioExceeded }
        let base = try BalancerFixedPoint.divUp(balanceIn, balanceIn + amountIn)
        let exponent = try BalancerFixedPoint.divDown(weightIn, weightOut)
        let power = try BalancerFixedPoint.powUp(base, exponent)
        return BalancerFixedPoint.mulDown(balanceOut, BalancerFixedPoint.complement(power))
    }

    /// aI = bI · ((bO / (bO − aO))^(wO / wI) − 1), rounded against the trader.
    public static func inGivenOut(balanceIn: BigUInt, weightIn: BigUInt, balanceOut: BigUInt, weightOut: BigUInt,
                                  amountOut: BigUInt) throws(PoolMathError) -> BigUInt {
        guard amountOut <= BalancerFixedPoint.mulDown(balanceOut, maxOutRatio) else { throw .maxRatioExceeded }
        let base = try BalancerFixedPoint.divUp(balanceOut, balanceOut - amountOut)
        let exponent = try BalancerFixedPoint.divUp(weightOut, weightIn)
        let power = try BalancerFixedPoint.powUp(base, exponent)
        guard power >= BalancerFixedPoint.one else { throw .insufficientLiquidity }
        return BalancerFixedPoint.mulUp(balanceIn, power - BalancerFixedPoint.one)
    }
}

/// A Balancer V3 weighted pool as its vault swaps it: raw token amounts are scaled to 18 decimals with the token's
/// scaling factor and rate, the fee is taken on the amount in (exact in) or added to it (exact out), and results
/// are scaled back rounding against the trader.
public struct WeightedPool: Sendable, Hashable {
    /// Live balances scaled to 18 decimals (rates applied).
    public var balancesScaled18: [BigUInt]
    /// Normalised weights, summing to 1e18.
    public let weights: [BigUInt]
    /// 10^(18 − decimals) per token.
    public let scalingFactors: [BigUInt]
    /// Token rates, 1e18 for a plain token.
    public let tokenRates: [BigUInt]
    /// Swap fee, 18-decimal: 1e16 = 1 %.
    public let swapFee: BigUInt
    /// A pool-set cap on the share of a balance one swap may move in or out, 18-decimal (QuantAMM's
    /// `maxTradeSizeRatio`); nil for a standard weighted pool, which caps only the given amount at 30 %.
    public let maxTradeRatio: BigUInt?
    /// Balancer V2's vault takes the fee off the raw amount before scaling it (BaseMinimalSwapInfoPool.onSwap) and
    /// adds it to the raw amount in after; V3's does both on scaled amounts. For 18-decimal tokens they agree.
    public let feeOnRawAmounts: Bool
    /// For a market: the token traded as base and the one as quote (0 and 1 unless said).
    public let baseIndex: Int
    public let quoteIndex: Int

    public init(balancesScaled18: [BigUInt], weights: [BigUInt], scalingFactors: [BigUInt], tokenRates: [BigUInt]? = nil,
                swapFee: BigUInt, maxTradeRatio: BigUInt? = nil, feeOnRawAmounts: Bool = false, baseIndex: Int = 0,
                quoteIndex: Int = 1) {
        precondition(balancesScaled18.count == weights.count && weights.count == scalingFactors.count,
                     "one weight and one scaling factor per balance")
        precondition(baseIndex != quoteIndex && weights.indices.contains(baseIndex)
                         && weights.indices.contains(quoteIndex), "base and quote are two of the pool's tokens")
        self.feeOnRawAmounts = feeOnRawAmounts
        self.baseIndex = baseIndex
        self.quoteIndex = quoteIndex
        self.balancesScaled18 = balancesScaled18
        self.weights = weights
        self.scalingFactors = scalingFactors
        self.tokenRates = tokenRates ?? Array(repeating: BalancerFixedPoint.one, count: weights.count)
        self.swapFee = swapFee
        self.maxTradeRatio = maxTradeRatio
    }

    /// Raw units of token `j` out for exactly `amountIn` raw units of token `i`.
    public func amountOut(i: Int, j: Int, amountIn: BigUInt) throws(PoolMathError) -> BigUInt {
        guard amountIn > 0 else { throw .insufficientInputAmount }
        // toScaled18ApplyRateRoundDown, then the fee off the amount in (rounded up); V2: the fee first.
        var scaledIn: BigUInt
        if feeOnRawAmounts {
            let afterFee = amountIn - BalancerFixedPoint.mulUp(amountIn, swapFee)
            scaledIn = BalancerFixedPoint.mulDown(afterFee * scalingFactors[i], tokenRates[i])
        } else {
            scaledIn = BalancerFixedPoint.mulDown(amountIn * scalingFactors[i], tokenRates[i])
            scaledIn -= BalancerFixedPoint.mulUp(scaledIn, swapFee)
        }
        try checkTradeRatio(scaledIn, balance: balancesScaled18[i])
        let scaledOut = try WeightedMath.outGivenIn(
            balanceIn: balancesScaled18[i], weightIn: weights[i], balanceOut: balancesScaled18[j], weightOut: weights[j],
            amountIn: scaledIn)
        try checkTradeRatio(scaledOut, balance: balancesScaled18[j])
        // toRawUndoRateRoundDown.
        return try BalancerFixedPoint.divDown(scaledOut, scalingFactors[j] * tokenRates[j])
    }

    /// Raw units of token `i` to pay (fee included) for exactly `amountOut` raw units of token `j`.
    public func amountIn(i: Int, j: Int, amountOut: BigUInt) throws(PoolMathError) -> BigUInt {
        guard amountOut > 0 else { throw .insufficientOutputAmount }
        // toScaled18ApplyRateRoundUp.
        let scaledOut = BalancerFixedPoint.mulUp(amountOut * scalingFactors[j], tokenRates[j])
        try checkTradeRatio(scaledOut, balance: balancesScaled18[j])
        var scaledIn = try WeightedMath.inGivenOut(
            balanceIn: balancesScaled18[i], weightIn: weights[i], balanceOut: balancesScaled18[j], weightOut: weights[j],
            amountOut: scaledOut)
        try checkTradeRatio(scaledIn, balance: balancesScaled18[i])
        let feeComplement = BalancerFixedPoint.complement(swapFee)
        guard feeComplement > 0 else { throw .divisionByZero }
        if feeOnRawAmounts {
            // V2: _downscaleUp, then _addSwapFeeAmount (divUp by the fee's complement).
            let raw = try BalancerFixedPoint.divUp(scaledIn, scalingFactors[i] * tokenRates[i])
            return try BalancerFixedPoint.divUp(raw, feeComplement)
        }
        // The fee grosses the amount in up: in / (1 − fee), rounded up.
        scaledIn += (scaledIn * swapFee + feeComplement - 1) / feeComplement
        // toRawUndoRateRoundUp.
        return try BalancerFixedPoint.divUp(scaledIn, scalingFactors[i] * tokenRates[i])
    }

    private func checkTradeRatio(_ amount: BigUInt, balance: BigUInt) throws(PoolMathError) {
        guard let maxTradeRatio else { return }
        guard amount <= BalancerFixedPoint.mulDown(balance, maxTradeRatio) else { throw .maxRatioExceeded }
    }
}

extension WeightedPool {
    public var baseDecimals: Int { Self.decimals(scalingFactors[baseIndex]) }
    public var quoteDecimals: Int { Self.decimals(scalingFactors[quoteIndex]) }

    /// 10^(18 − decimals) back to decimals.
    static func decimals(_ scalingFactor: BigUInt) -> Int {
        var factor = scalingFactor, digits = 0
        while factor > 1 {
            factor /= 10
            digits += 1
        }
        return 18 - digits
    }

    /// The same pool charging no fee (to report a quote's fee apart).
    public var feeless: WeightedPool {
        WeightedPool(balancesScaled18: balancesScaled18, weights: weights, scalingFactors: scalingFactors,
                     tokenRates: tokenRates, swapFee: 0, maxTradeRatio: maxTradeRatio, feeOnRawAmounts: feeOnRawAmounts,
                     baseIndex: baseIndex, quoteIndex: quoteIndex)
    }

    /// Price and depth for `Double` screening: a constant-product curve with the pool's spot price (balances over
    /// weights) and its balances as depth, capped at the 30 % a swap may move. Sizes are re-solved exactly.
    public var screen: CurveScreen {
        let one = Double(BalancerFixedPoint.one)
        let base = Double(balancesScaled18[baseIndex]) / one, quote = Double(balancesScaled18[quoteIndex]) / one
        let baseWeight = Double(weights[baseIndex]) / one, quoteWeight = Double(weights[quoteIndex]) / one
        return CurveScreen(base: base, quote: quote * baseWeight / quoteWeight, gamma: 1 - Double(swapFee) / one,
                           maxBaseOut: base * 0.3, maxBaseIn: base * 0.3)
    }

    /// Sells exactly `baseIn`; returns the quote paid out, the balances moved as the vault moves them.
    public mutating func swapBaseIn(_ baseIn: BigUInt) throws -> BigUInt {
        let out = try amountOut(i: baseIndex, j: quoteIndex, amountIn: baseIn)
        balancesScaled18[baseIndex] += baseIn * scalingFactors[baseIndex]
        balancesScaled18[quoteIndex] -= out * scalingFactors[quoteIndex]
        return out
    }

    /// Buys exactly `baseOut`; returns the quote paid in.
    public mutating func swapBaseOut(_ baseOut: BigUInt) throws -> BigUInt {
        let paid = try amountIn(i: quoteIndex, j: baseIndex, amountOut: baseOut)
        balancesScaled18[quoteIndex] += paid * scalingFactors[quoteIndex]
        balancesScaled18[baseIndex] -= baseOut * scalingFactors[baseIndex]
        return paid
    }
}
