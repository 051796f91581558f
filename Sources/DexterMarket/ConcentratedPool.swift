import BigInt
import DexterCore

/// A concentrated-liquidity pool (Uniswap V3) holding one active range [lower, upper]. Token0 is the pair's base,
/// token1 its quote. Swaps run the contract's `computeSwapStep`; a swap that would leave the range is refused,
/// since there is no liquidity beyond it.
public struct ConcentratedPool: Sendable, Hashable {
    public var sqrtPriceX96: BigUInt
    public let liquidity: BigUInt
    public let sqrtLowerX96: BigUInt
    public let sqrtUpperX96: BigUInt
    /// Fee in hundredths of a basis point: 500 = 0.05 %, 3000 = 0.30 %.
    public let feePips: Int
    public let baseDecimals: Int
    public let quoteDecimals: Int

    public init(
        sqrtPriceX96: BigUInt, liquidity: BigUInt, sqrtLowerX96: BigUInt, sqrtUpperX96: BigUInt,
        feePips: Int, baseDecimals: Int, quoteDecimals: Int
    ) {
        precondition(sqrtLowerX96 < sqrtPriceX96 && sqrtPriceX96 < sqrtUpperX96, "price must lie inside the range")
        self.sqrtPriceX96 = sqrtPriceX96
        self.liquidity = liquidity
        self.sqrtLowerX96 = sqrtLowerX96
        self.sqrtUpperX96 = sqrtUpperX96
        self.feePips = feePips
        self.baseDecimals = baseDecimals
        self.quoteDecimals = quoteDecimals
    }

    /// sqrt(price) in Q64.96 for a human price (quote per base), adjusted for the tokens' decimals.
    public static func sqrtPriceX96(price: FixedDecimal, baseDecimals: Int, quoteDecimals: Int) -> BigUInt {
        // price_raw = price × 10^quoteDecimals / 10^baseDecimals; sqrtPriceX96 = sqrt(price_raw × 2^192)
        let numerator = BigUInt(price.raw) * BigUInt(10).power(quoteDecimals) << 192
        let denominator = BigUInt(10).power(18 + baseDecimals)
        return (numerator / denominator).squareRoot()
    }

    /// Quote units received for exactly `baseIn`.
    public func sellBase(_ baseIn: BigUInt) throws -> (quoteOut: BigUInt, sqrtPriceNext: BigUInt) {
        guard baseIn > 0 else { throw PoolMathError.insufficientInputAmount }
        let step = try ConcentratedLiquidityMath.computeSwapStep(
            sqrtPriceCurrent: sqrtPriceX96, sqrtPriceTarget: sqrtLowerX96, liquidity: liquidity,
            amountRemaining: BigInt(baseIn), feePips: feePips)
        guard step.amountIn + step.feeAmount >= baseIn else { throw PoolMathError.insufficientLiquidity }
        return (step.amountOut, step.sqrtPriceNext)
    }

    /// Quote units to pay (fee included) for exactly `baseOut`.
    public func buyBase(_ baseOut: BigUInt) throws -> (quoteIn: BigUInt, sqrtPriceNext: BigUInt) {
        guard baseOut > 0 else { throw PoolMathError.insufficientOutputAmount }
        let step = try ConcentratedLiquidityMath.computeSwapStep(
            sqrtPriceCurrent: sqrtPriceX96, sqrtPriceTarget: sqrtUpperX96, liquidity: liquidity,
            amountRemaining: -BigInt(baseOut), feePips: feePips)
        guard step.amountOut >= baseOut else { throw PoolMathError.insufficientLiquidity }
        return (step.amountIn + step.feeAmount, step.sqrtPriceNext)
    }

    /// Base units received for exactly `quoteIn`.
    public func spendQuote(_ quoteIn: BigUInt) throws -> (baseOut: BigUInt, sqrtPriceNext: BigUInt) {
        guard quoteIn > 0 else { throw PoolMathError.insufficientInputAmount }
        let step = try ConcentratedLiquidityMath.computeSwapStep(
            sqrtPriceCurrent: sqrtPriceX96, sqrtPriceTarget: sqrtUpperX96, liquidity: liquidity,
            amountRemaining: BigInt(quoteIn), feePips: feePips)
        guard step.amountIn + step.feeAmount >= quoteIn else { throw PoolMathError.insufficientLiquidity }
        return (step.amountOut, step.sqrtPriceNext)
    }

    /// Virtual reserves within the range: x = L / √P, y = L · √P, which trade as a constant product until a bound.
    public var screen: CurveScreen {
        let q96 = 79_228_162_514_264_337_593_543_950_336.0
        let sqrtP = Double(sqrtPriceX96) / q96
        let sqrtLower = Double(sqrtLowerX96) / q96
        let sqrtUpper = Double(sqrtUpperX96) / q96
        let l = Double(liquidity)
        let baseScale = pow10(baseDecimals)
        let quoteScale = pow10(quoteDecimals)
        return CurveScreen(
            base: l / sqrtP / baseScale,
            quote: l * sqrtP / quoteScale,
            gamma: Double(1_000_000 - feePips) / 1_000_000,
            maxBaseOut: l * (1 / sqrtP - 1 / sqrtUpper) / baseScale,
            maxBaseIn: l * (1 / sqrtLower - 1 / sqrtP) / baseScale * 0.999)
    }
}
