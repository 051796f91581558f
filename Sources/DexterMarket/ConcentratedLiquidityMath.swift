import BigInt

/// Uniswap V3 `FullMath`, `SqrtPriceMath` and `SwapMath` on uint256 semantics: every result that would not fit
/// its Solidity type throws, as the contract reverts.
public enum ConcentratedLiquidityMath {
    public static let q96 = BigUInt(1) << 96
    /// The largest uint256: every pool family's overflow bound.
    static let max256 = (BigUInt(1) << 256) - 1
    static let max160 = (BigUInt(1) << 160) - 1

    // MARK: FullMath

    public static func mulDiv(_ a: BigUInt, _ b: BigUInt, _ denominator: BigUInt) throws -> BigUInt {
        guard denominator > 0 else { throw PoolMathError.divisionByZero }
        let result = a * b / denominator
        guard result <= max256 else { throw PoolMathError.overflow }
        return result
    }

    public static func mulDivRoundingUp(_ a: BigUInt, _ b: BigUInt, _ denominator: BigUInt) throws -> BigUInt {
        guard denominator > 0 else { throw PoolMathError.divisionByZero }
        let (quotient, remainder) = (a * b).quotientAndRemainder(dividingBy: denominator)
        let result = remainder > 0 ? quotient + 1 : quotient
        guard result <= max256 else { throw PoolMathError.overflow }
        return result
    }

    static func divRoundingUp(_ a: BigUInt, _ b: BigUInt) throws -> BigUInt {
        guard b > 0 else { throw PoolMathError.divisionByZero }
        let (quotient, remainder) = a.quotientAndRemainder(dividingBy: b)
        return remainder > 0 ? quotient + 1 : quotient
    }

    static func toUInt160(_ value: BigUInt) throws -> BigUInt {
        guard value <= max160 else { throw PoolMathError.overflow }
        return value
    }

    // MARK: SqrtPriceMath

    public static func amount0Delta(_ a: BigUInt, _ b: BigUInt, liquidity: BigUInt, roundUp: Bool) throws -> BigUInt {
        let (lower, upper) = a > b ? (b, a) : (a, b)
        guard lower > 0 else { throw PoolMathError.zeroPrice }
        let numerator1 = liquidity << 96
        let numerator2 = upper - lower
        if roundUp {
            return try divRoundingUp(try mulDivRoundingUp(numerator1, numerator2, upper), lower)
        }
        return try mulDiv(numerator1, numerator2, upper) / lower
    }

    public static func amount1Delta(_ a: BigUInt, _ b: BigUInt, liquidity: BigUInt, roundUp: Bool) throws -> BigUInt {
        let (lower, upper) = a > b ? (b, a) : (a, b)
        return roundUp
            ? try mulDivRoundingUp(liquidity, upper - lower, q96)
            : try mulDiv(liquidity, upper - lower, q96)
    }

    static func nextSqrtPriceFromAmount0RoundingUp(
        _ sqrtPrice: BigUInt, liquidity: BigUInt, amount: BigUInt, add: Bool
    ) throws -> BigUInt {
        if amount == 0 { return sqrtPrice }
        let numerator1 = liquidity << 96
        let product = amount * sqrtPrice
        if add {
            if product <= max256, numerator1 + product <= max256 {
                return try mulDivRoundingUp(numerator1, sqrtPrice, numerator1 + product)
            }
            return try divRoundingUp(numerator1, numerator1 / sqrtPrice + amount)
        }
        guard product <= max256, numerator1 > product else { throw PoolMathError.priceOutOfRange }
        return try toUInt160(try mulDivRoundingUp(numerator1, sqrtPrice, numerator1 - product))
    }

    static func nextSqrtPriceFromAmount1RoundingDown(
        _ sqrtPrice: BigUInt, liquidity: BigUInt, amount: BigUInt, add: Bool
    ) throws -> BigUInt {
        guard liquidity > 0 else { throw PoolMathError.divisionByZero }
        if add {
            let quotient = amount <= max160 ? (amount << 96) / liquidity : try mulDiv(amount, q96, liquidity)
            return try toUInt160(sqrtPrice + quotient)
        }
        let quotient = amount <= max160
            ? try divRoundingUp(amount << 96, liquidity)
            : try mulDivRoundingUp(amount, q96, liquidity)
        guard sqrtPrice > quotient else { throw PoolMathError.priceOutOfRange }
        return sqrtPrice - quotient
    }

    public static func nextSqrtPriceFromInput(
        _ sqrtPrice: BigUInt, liquidity: BigUInt, amountIn: BigUInt, zeroForOne: Bool
    ) throws -> BigUInt {
        guard sqrtPrice > 0 else { throw PoolMathError.zeroPrice }
        guard liquidity > 0 else { throw PoolMathError.zeroLiquidity }
        return zeroForOne
            ? try nextSqrtPriceFromAmount0RoundingUp(sqrtPrice, liquidity: liquidity, amount: amountIn, add: true)
            : try nextSqrtPriceFromAmount1RoundingDown(sqrtPrice, liquidity: liquidity, amount: amountIn, add: true)
    }

    public static func nextSqrtPriceFromOutput(
        _ sqrtPrice: BigUInt, liquidity: BigUInt, amountOut: BigUInt, zeroForOne: Bool
    ) throws -> BigUInt {
        guard sqrtPrice > 0 else { throw PoolMathError.zeroPrice }
        guard liquidity > 0 else { throw PoolMathError.zeroLiquidity }
        return zeroForOne
            ? try nextSqrtPriceFromAmount1RoundingDown(sqrtPrice, liquidity: liquidity, amount: amountOut, add: false)
            : try nextSqrtPriceFromAmount0RoundingUp(sqrtPrice, liquidity: liquidity, amount: amountOut, add: false)
    }

    // MARK: SwapMath

    public struct SwapStep: Sendable, Hashable {
        public let sqrtPriceNext: BigUInt
        public let amountIn: BigUInt
        public let amountOut: BigUInt
        public let feeAmount: BigUInt
    }

    /// `computeSwapStep`: a positive `amountRemaining` is an exact input, a negative one an exact output.
    public static func computeSwapStep(
        sqrtPriceCurrent current: BigUInt, sqrtPriceTarget target: BigUInt, liquidity: BigUInt,
        amountRemaining: BigInt, feePips: Int
    ) throws -> SwapStep {
        let zeroForOne = current >= target
        let exactIn = amountRemaining >= 0
        let remaining = amountRemaining.magnitude
        let pips = BigUInt(1_000_000)
        let fee = BigUInt(feePips)
        var amountIn = BigUInt(0)
        var amountOut = BigUInt(0)
        let next: BigUInt
        if exactIn {
            let remainingLessFee = try mulDiv(remaining, pips - fee, pips)
            amountIn = zeroForOne
                ? try amount0Delta(target, current, liquidity: liquidity, roundUp: true)
                : try amount1Delta(current, target, liquidity: liquidity, roundUp: true)
            next = remainingLessFee >= amountIn
                ? target
                : try nextSqrtPriceFromInput(current, liquidity: liquidity, amountIn: remainingLessFee, zeroForOne: zeroForOne)
        } else {
            amountOut = zeroForOne
                ? try amount1Delta(target, current, liquidity: liquidity, roundUp: false)
                : try amount0Delta(current, target, liquidity: liquidity, roundUp: false)
            next = remaining >= amountOut
                ? target
                : try nextSqrtPriceFromOutput(current, liquidity: liquidity, amountOut: remaining, zeroForOne: zeroForOne)
        }
        let reachedTarget = target == next
        if zeroForOne {
            if !(reachedTarget && exactIn) { amountIn = try amount0Delta(next, current, liquidity: liquidity, roundUp: true) }
            if !(reachedTarget && !exactIn) { amountOut = try amount1Delta(next, current, liquidity: liquidity, roundUp: false) }
        } else {
            if !(reachedTarget && exactIn) { amountIn = try amount1Delta(current, next, liquidity: liquidity, roundUp: true) }
            if !(reachedTarget && !exactIn) { amountOut = try amount0Delta(current, next, liquidity: liquidity, roundUp: false) }
        }
        if !exactIn && amountOut > remaining { amountOut = remaining }
        let feeAmount = exactIn && next != target
            ? remaining - amountIn
            : try mulDivRoundingUp(amountIn, fee, pips - fee)
        return SwapStep(sqrtPriceNext: next, amountIn: amountIn, amountOut: amountOut, feeAmount: feeAmount)
    }
}
