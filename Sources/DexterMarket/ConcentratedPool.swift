import BigInt
import DexterCore
import Foundation

/// Liquidity one position adds between two ticks.
public struct LiquidityPosition: Sendable, Hashable {
    public let lowerTick: Int
    public let upperTick: Int
    public let liquidity: BigUInt

    public init(lowerTick: Int, upperTick: Int, liquidity: BigUInt) {
        precondition(lowerTick < upperTick, "a position's lower tick is below its upper tick")
        self.lowerTick = lowerTick
        self.upperTick = upperTick
        self.liquidity = liquidity
    }
}

/// An initialized tick: the liquidity that starts (positive) or ends (negative) there, crossing upward.
public struct InitializedTick: Sendable, Hashable {
    public let tick: Int
    public let liquidityNet: BigInt

    /// A tick as a chain reader finds it (the pool's `ticks(i)`).
    public init(tick: Int, liquidityNet: BigInt) {
        self.tick = tick
        self.liquidityNet = liquidityNet
    }
}

/// A concentrated-liquidity pool (Uniswap V3) with any number of positions. The contract orders its tokens by
/// address, so the pair's base is token0 or token1 (`baseIsToken0`): WETH is token1 of mainnet's USDC/WETH pools. `swap` is the contract's loop: one `computeSwapStep` to the next initialized tick (or the edge of
/// the tick bitmap's word, as the contract's search stops there, so rounding matches step for step), crossing
/// ticks and adding their net liquidity, until the amount is used up.
public struct ConcentratedPool: Sendable, Hashable {
    public private(set) var sqrtPriceX96: BigUInt
    public private(set) var tick: Int
    /// Liquidity active at the current price.
    public private(set) var liquidity: BigUInt
    /// Initialized ticks, ascending.
    public let ticks: [InitializedTick]
    public let tickSpacing: Int
    /// Fee in hundredths of a basis point: 500 = 0.05 %, 3000 = 0.30 %.
    public let feePips: Int
    public let baseDecimals: Int
    public let quoteDecimals: Int
    /// Whether the pair's base is the contract's token0; when it is token1, the pool's own price is base per quote.
    public let baseIsToken0: Bool
    /// The ticks whose initialized state is known (a chain reader reads some tickBitmap words, not all): a swap that
    /// would move the price out of them is refused rather than priced on liquidity nobody read. Nil: all known.
    public let knownTicks: ClosedRange<Int>?

    public init(sqrtPriceX96: BigUInt, tickSpacing: Int, positions: [LiquidityPosition], feePips: Int,
                baseDecimals: Int, quoteDecimals: Int) throws(PoolMathError) {
        let tick = try TickMath.tick(atSqrtRatio: sqrtPriceX96)
        var net: [Int: BigInt] = [:]
        var active = BigUInt(0)
        for position in positions {
            precondition(position.lowerTick % tickSpacing == 0 && position.upperTick % tickSpacing == 0,
                         "position ticks are multiples of the tick spacing")
            net[position.lowerTick, default: 0] += BigInt(position.liquidity)
            net[position.upperTick, default: 0] -= BigInt(position.liquidity)
            if position.lowerTick <= tick && tick < position.upperTick { active += position.liquidity }
        }
        self.init(sqrtPriceX96: sqrtPriceX96, tick: tick, liquidity: active,
                  ticks: net.filter { $0.value != 0 }.map { InitializedTick(tick: $0.key, liquidityNet: $0.value) }
                      .sorted { $0.tick < $1.tick },
                  tickSpacing: tickSpacing, feePips: feePips, baseDecimals: baseDecimals, quoteDecimals: quoteDecimals)
    }

    /// A pool as a chain snapshot gives it: slot0, active liquidity and the initialized ticks.
    public init(sqrtPriceX96: BigUInt, tick: Int, liquidity: BigUInt, ticks: [InitializedTick], tickSpacing: Int,
                feePips: Int, baseDecimals: Int, quoteDecimals: Int, baseIsToken0: Bool = true,
                knownTicks: ClosedRange<Int>? = nil) {
        self.sqrtPriceX96 = sqrtPriceX96
        self.tick = tick
        self.liquidity = liquidity
        self.ticks = ticks
        self.tickSpacing = tickSpacing
        self.feePips = feePips
        self.baseDecimals = baseDecimals
        self.quoteDecimals = quoteDecimals
        self.baseIsToken0 = baseIsToken0
        self.knownTicks = knownTicks
    }

    /// The same pool charging `feePips` instead: prices a swap without its fee, so the fee is reported apart.
    public func charging(feePips: Int) -> ConcentratedPool {
        ConcentratedPool(sqrtPriceX96: sqrtPriceX96, tick: tick, liquidity: liquidity, ticks: ticks,
                         tickSpacing: tickSpacing, feePips: feePips, baseDecimals: baseDecimals,
                         quoteDecimals: quoteDecimals, baseIsToken0: baseIsToken0, knownTicks: knownTicks)
    }

    /// sqrt(price) in Q64.96 for a human price (quote per base), adjusted for the tokens' decimals.
    public static func sqrtPriceX96(price: FixedDecimal, baseDecimals: Int, quoteDecimals: Int) -> BigUInt {
        // price_raw = price × 10^quoteDecimals / 10^baseDecimals; sqrtPriceX96 = sqrt(price_raw × 2^192)
        let numerator = BigUInt(price.raw) * BigUInt(10).power(quoteDecimals) << 192
        let denominator = BigUInt(10).power(18 + baseDecimals)
        return (numerator / denominator).squareRoot()
    }

    // MARK: Swapping

    /// What a swap moved (pool's view: positive in, negative out) and the pool after it.
    public struct SwapOutcome: Sendable, Hashable {
        public let amount0: BigInt
        public let amount1: BigInt
        public let pool: ConcentratedPool
        public let ticksCrossed: Int
    }

    /// `UniswapV3Pool.swap` without the transfers: a positive `amountSpecified` is an exact input, a negative one
    /// an exact output. Stops at the price limit (default: the tick range's edge) with part of the amount unused.
    public func swap(zeroForOne: Bool, amountSpecified: BigInt, sqrtPriceLimitX96: BigUInt? = nil)
        throws -> SwapOutcome {
        guard amountSpecified != 0 else { throw PoolMathError.insufficientInputAmount }
        let limit = sqrtPriceLimitX96 ?? (zeroForOne ? TickMath.minSqrtRatio + 1 : TickMath.maxSqrtRatio - 1)
        guard zeroForOne
            ? limit < sqrtPriceX96 && limit > TickMath.minSqrtRatio
            : limit > sqrtPriceX96 && limit < TickMath.maxSqrtRatio else { throw PoolMathError.priceOutOfRange } // SPL
        let exactInput = amountSpecified > 0
        var remaining = amountSpecified
        var calculated = BigInt(0)
        var state = self
        var crossed = 0
        while remaining != 0 && state.sqrtPriceX96 != limit {
            let start = state.sqrtPriceX96
            let (nextTick, wordInitialized) = state.nextTickWithinWord(lte: zeroForOne)
            var initialized = wordInitialized
            var boundedTick = min(max(nextTick, TickMath.minTick), TickMath.maxTick)
            // A step whose word edge lies past the known ticks goes only as far as they do: a swap that ends before
            // the edge is priced as the contract prices it (the step's result does not depend on a target it does not
            // reach); one that would go on past it is refused. On a V3 reader's word-aligned range this refuses just what
            // refusing a word edge outside it did.
            var atKnownEdge = false
            if let known = knownTicks {
                guard known.contains(state.tick) else { throw PoolMathError.beyondKnownTicks(known) }
                if !known.contains(boundedTick) {
                    boundedTick = zeroForOne ? known.lowerBound : known.upperBound
                    (initialized, atKnownEdge) = (false, true)
                }
            }
            let sqrtNext = try TickMath.sqrtRatio(atTick: boundedTick)
            let target = zeroForOne ? max(sqrtNext, limit) : min(sqrtNext, limit)
            let step = try ConcentratedLiquidityMath.computeSwapStep(
                sqrtPriceCurrent: start, sqrtPriceTarget: target, liquidity: state.liquidity,
                amountRemaining: remaining, feePips: feePips)
            if exactInput {
                remaining -= BigInt(step.amountIn + step.feeAmount)
                calculated -= BigInt(step.amountOut)
            } else {
                remaining += BigInt(step.amountOut)
                calculated += BigInt(step.amountIn + step.feeAmount)
            }
            state.sqrtPriceX96 = step.sqrtPriceNext
            if atKnownEdge, step.sqrtPriceNext == sqrtNext, remaining != 0, sqrtNext != limit {
                throw PoolMathError.beyondKnownTicks(knownTicks!)
            }
            if step.sqrtPriceNext == sqrtNext {
                if initialized, let net = state.liquidityNet(at: boundedTick) {
                    let delta = zeroForOne ? -net : net
                    let updated = BigInt(state.liquidity) + delta
                    guard updated >= 0 else { throw PoolMathError.insufficientLiquidity } // LiquidityMath "LS"
                    state.liquidity = BigUInt(updated)
                    crossed += 1
                }
                state.tick = zeroForOne ? boundedTick - 1 : boundedTick
            } else if step.sqrtPriceNext != start {
                state.tick = try TickMath.tick(atSqrtRatio: step.sqrtPriceNext)
            }
        }
        let used = amountSpecified - remaining
        let (amount0, amount1) = zeroForOne == exactInput ? (used, calculated) : (calculated, used)
        return SwapOutcome(amount0: amount0, amount1: amount1, pool: state, ticksCrossed: crossed)
    }

    /// The base and quote a swap moved, from the contract's token0 and token1.
    private func baseAndQuote(_ outcome: SwapOutcome) -> (base: BigInt, quote: BigInt) {
        baseIsToken0 ? (outcome.amount0, outcome.amount1) : (outcome.amount1, outcome.amount0)
    }

    /// Quote units received for exactly `baseIn`; refused when the pool cannot take all of it.
    public func sellBase(_ baseIn: BigUInt) throws -> (quoteOut: BigUInt, pool: ConcentratedPool) {
        guard baseIn > 0 else { throw PoolMathError.insufficientInputAmount }
        let outcome = try swap(zeroForOne: baseIsToken0, amountSpecified: BigInt(baseIn))
        let moved = baseAndQuote(outcome)
        guard moved.base == BigInt(baseIn) else { throw PoolMathError.insufficientLiquidity }
        return (BigUInt(-moved.quote), outcome.pool)
    }

    /// Quote units to pay (fee included) for exactly `baseOut`.
    public func buyBase(_ baseOut: BigUInt) throws -> (quoteIn: BigUInt, pool: ConcentratedPool) {
        guard baseOut > 0 else { throw PoolMathError.insufficientOutputAmount }
        let outcome = try swap(zeroForOne: !baseIsToken0, amountSpecified: -BigInt(baseOut))
        let moved = baseAndQuote(outcome)
        guard moved.base == -BigInt(baseOut) else { throw PoolMathError.insufficientLiquidity }
        return (BigUInt(moved.quote), outcome.pool)
    }

    /// Base units received for exactly `quoteIn`.
    public func spendQuote(_ quoteIn: BigUInt) throws -> (baseOut: BigUInt, pool: ConcentratedPool) {
        guard quoteIn > 0 else { throw PoolMathError.insufficientInputAmount }
        let outcome = try swap(zeroForOne: !baseIsToken0, amountSpecified: BigInt(quoteIn))
        let moved = baseAndQuote(outcome)
        guard moved.quote == BigInt(quoteIn) else { throw PoolMathError.insufficientLiquidity }
        return (BigUInt(-moved.base), outcome.pool)
    }

    /// `TickBitmap.nextInitializedTickWithinOneWord`: the nearest initialized tick at or below (`lte`) or above
    /// the current one, looking only within one 256-tick word of the bitmap; else that word's last tick.
    func nextTickWithinWord(lte: Bool) -> (tick: Int, initialized: Bool) {
        var compressed = tick / tickSpacing
        if tick < 0 && tick % tickSpacing != 0 { compressed -= 1 }
        if lte {
            let wordStart = (compressed >> 8) << 8
            if let found = ticks.last(where: { $0.tick / tickSpacing <= compressed && $0.tick / tickSpacing >= wordStart }) {
                return (found.tick, true)
            }
            return (wordStart * tickSpacing, false)
        }
        let from = compressed + 1
        let wordEnd = ((from >> 8) << 8) + 255
        if let found = ticks.first(where: { $0.tick / tickSpacing >= from && $0.tick / tickSpacing <= wordEnd }) {
            return (found.tick, true)
        }
        return (wordEnd * tickSpacing, false)
    }

    func liquidityNet(at tick: Int) -> BigInt? { ticks.first { $0.tick == tick }?.liquidityNet }

    // MARK: Screening

    /// The pool as constant-product segments between its initialized ticks, in human units, for screening.
    public var screen: RangeLadder {
        // Human sqrt price (quote per base) s = √P_raw · 10^((base − quote decimals)/2) with P_raw the contract's
        // token1 per token0, inverted when the base is token1; amounts scale by 10^((base + quote)/2) either way.
        let scale = pow(10.0, Double(baseDecimals + quoteDecimals) / 2)
        let priceScale = pow(10.0, Double(baseDecimals - quoteDecimals) / 2)
        let q96 = 79_228_162_514_264_337_593_543_950_336.0
        let raw = Double(sqrtPriceX96) / q96
        let current = (baseIsToken0 ? raw : 1 / raw) * priceScale
        func sqrtAt(_ tick: Int) -> Double { pow(1.0001, Double(baseIsToken0 ? tick : -tick) / 2) * priceScale }
        // Buying base raises its price: the contract's tick rises when base is token0 and falls when it is token1.
        let above = ticks.filter { $0.tick > tick }, atOrBelow = ticks.filter { $0.tick <= tick }
        func walk(_ crossed: [InitializedTick], rising: Bool) -> [RangeLadder.Segment] {
            var segments: [RangeLadder.Segment] = []
            var active = Double(liquidity)
            var from = current
            for entry in crossed {
                let to = sqrtAt(entry.tick)
                if active > 0 { segments.append(.init(from: from, to: to, liquidity: active / scale)) }
                active += rising ? Double(entry.liquidityNet) : -Double(entry.liquidityNet)
                from = to
            }
            return segments
        }
        let upTicks = walk(above, rising: true), downTicks = walk(atOrBelow.reversed(), rising: false)
        return RangeLadder(sqrtPrice: current, up: baseIsToken0 ? upTicks : downTicks,
                           down: baseIsToken0 ? downTicks : upTicks, gamma: Double(1_000_000 - feePips) / 1_000_000)
    }
}
