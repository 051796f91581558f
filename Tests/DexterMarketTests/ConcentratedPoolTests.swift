import BigInt
import DexterCore
import Testing
@testable import DexterMarket

/// Multi-position concentrated pools: the contract's swap loop, tick crossing included, to the last unit.
@Suite struct ConcentratedPoolTests {
    // Source: Uniswap/v3-core test/__snapshots__/UniswapV3Pool.swaps.spec.ts.snap, transcribed in Fixtures/v3_pool_swaps.json
    @Test func swapsMatchTheV3CorePoolSnapshots() throws {
        let pools = try Fixture.json("v3_pool_swaps")["pools"] as? [[String: Any]] ?? []
        #expect(pools.count == 3)
        for spec in pools {
            let pool = try makePool(spec)
            for swap in spec["swaps"] as? [[String: Any]] ?? [] {
                let amount = BigInt(swap.big("amount"))
                let outcome = try pool.swap(zeroForOne: swap.bool("zeroForOne"),
                                            amountSpecified: swap.bool("exactOut") ? -amount : amount)
                let label = "\(spec.string("description")): \(swap)"
                #expect(outcome.amount0 == swap.signed("amount0"), "\(label)")
                #expect(outcome.amount1 == swap.signed("amount1"), "\(label)")
                #expect(outcome.pool.tick == swap.int("tickAfter"), "\(label)")
            }
        }
    }

    // Source: Uniswap/v3-core test/__snapshots__/UniswapV3Pool.swaps.spec.ts.snap, transcribed in Fixtures/v3_pool_swaps.json
    @Test func crossingATickChangesActiveLiquidity() throws {
        let pools = try Fixture.json("v3_pool_swaps")["pools"] as? [[String: Any]] ?? []
        let empty = try makePool(pools[0])
        // No liquidity at 1:1; a sell crosses tick −60 into the lower position, a buy crosses 200.
        #expect(empty.liquidity == 0)
        let sold = try empty.swap(zeroForOne: true, amountSpecified: BigInt(10).power(18))
        #expect(sold.ticksCrossed == 1 && sold.pool.liquidity == BigUInt(2) * BigUInt(10).power(18))
        let layered = try makePool(pools[1])
        let deep = try layered.swap(zeroForOne: false, amountSpecified: BigInt(10).power(18))
        #expect(deep.ticksCrossed == 1 && deep.pool.liquidity == BigUInt(4) * BigUInt(10).power(18))
    }

    /// The helpers the detector quotes with: exact in/out agree with the raw swap, and a pool that cannot fill
    /// the whole amount refuses rather than quoting part of it.
    @Test func quotingHelpersAreExactAndRefuseWhatThePoolCannotFill() throws {
        let pool = try ConcentratedPool(
            sqrtPriceX96: BigUInt(1) << 96, tickSpacing: 60,
            positions: [LiquidityPosition(lowerTick: -600, upperTick: 600, liquidity: BigUInt(10).power(18)),
                        LiquidityPosition(lowerTick: -120, upperTick: 120, liquidity: BigUInt(10).power(18))],
            feePips: 3000, baseDecimals: 18, quoteDecimals: 18)
        let baseIn = BigUInt(10).power(16)
        let (quoteOut, after) = try pool.sellBase(baseIn)
        let raw = try pool.swap(zeroForOne: true, amountSpecified: BigInt(baseIn))
        #expect(BigInt(quoteOut) == -raw.amount1 && after == raw.pool)
        let (quoteIn, _) = try pool.buyBase(baseIn)
        #expect(quoteIn > quoteOut)
        // About 0.03 base lies between 1:1 and tick 600; asking for 1 base is refused.
        #expect(throws: PoolMathError.insufficientLiquidity) { try pool.buyBase(BigUInt(10).power(18)) }
    }

    /// The screening ladder agrees with the exact swap across the crossing (to float precision).
    @Test func screenTracksTheExactSwapAcrossTicks() throws {
        let pool = try ConcentratedPool(
            sqrtPriceX96: ConcentratedPool.sqrtPriceX96(price: FixedDecimal(2000), baseDecimals: 18, quoteDecimals: 6),
            tickSpacing: 60,
            positions: [LiquidityPosition(lowerTick: -207_240, upperTick: -194_880, liquidity: BigUInt(10).power(17)),
                        LiquidityPosition(lowerTick: -201_360, upperTick: -200_760, liquidity: BigUInt(10).power(18))],
            feePips: 500, baseDecimals: 18, quoteDecimals: 6)
        let ladder = pool.screen
        #expect(abs(ladder.spotPrice - 2000) < 0.01)
        for base in [0.5, 5.0, 20.0, 60.0] {
            let units = BigUInt(base * 1e18)
            let (quoteIn, buyState) = try pool.buyBase(units)
            let (quoteOut, _) = try pool.sellBase(units)
            let exactBuy = Double(quoteIn) / 1e6
            let exactSell = Double(quoteOut) / 1e6
            #expect(abs(ladder.buyCost(base) - exactBuy) / exactBuy < 1e-6, "buy \(base)")
            #expect(abs(ladder.sellProceeds(base) - exactSell) / exactSell < 1e-6, "sell \(base)")
            if base == 60 { #expect(buyState.tick > -200_760, "a large buy leaves the core range") }
        }
    }

    /// A pool whose base is token1, as WETH is in mainnet's USDC/WETH pools (USDC's address sorts first): buying the
    /// base is the contract's zeroForOne swap, its price falls as the pool's tick rises, and the ladder agrees with
    /// the exact swap across the narrow range's edge.
    @Test func aPoolWhoseBaseIsToken1QuotesAndScreensTheRightWayUp() throws {
        // The local deployment's 0.05 % USDC/WETH pool: tick 196256 is 1 WETH = 3,000 USDC; a wide and a narrow range.
        let tick = 196_256
        let sqrtPrice = try TickMath.sqrtRatio(atTick: tick)
        let flat = try ConcentratedPool(
            sqrtPriceX96: sqrtPrice, tickSpacing: 10,
            positions: [LiquidityPosition(lowerTick: 192_250, upperTick: 200_250, liquidity: BigUInt(10).power(18)),
                        LiquidityPosition(lowerTick: 196_150, upperTick: 196_350, liquidity: BigUInt(3) * BigUInt(10).power(17))],
            feePips: 500, baseDecimals: 6, quoteDecimals: 18)
        let pool = ConcentratedPool(sqrtPriceX96: flat.sqrtPriceX96, tick: flat.tick, liquidity: flat.liquidity, ticks: flat.ticks,
                                    tickSpacing: 10, feePips: 500, baseDecimals: 18, quoteDecimals: 6, baseIsToken0: false)
        let ladder = pool.screen
        let spot: Double = ladder.spotPrice
        #expect(abs(spot - 3000) < 0.5, "\(spot)")
        for weth in [0.01, 1.0, 40.0, 150.0] {
            let units = BigUInt(weth * 1e18)
            let (usdcIn, bought) = try pool.buyBase(units)
            let raw = try pool.swap(zeroForOne: true, amountSpecified: -BigInt(units))
            #expect(raw.amount1 == -BigInt(units) && BigInt(usdcIn) == raw.amount0, "buying WETH pays USDC in")
            #expect(bought.tick < tick, "buying WETH lowers the pool's tick")
            let (usdcOut, sold) = try pool.sellBase(units)
            #expect(sold.tick >= tick && usdcOut < usdcIn)
            let exactBuy = Double(usdcIn) / 1e6, exactSell = Double(usdcOut) / 1e6
            let screenedBuy: Double = ladder.buyCost(weth), screenedSell: Double = ladder.sellProceeds(weth)
            #expect(abs(screenedBuy - exactBuy) / exactBuy < 1e-6, "buy \(weth)")
            #expect(abs(screenedSell - exactSell) / exactSell < 1e-6, "sell \(weth)")
        }
        let (wethOut, _) = try pool.spendQuote(BigUInt(3_000) * BigUInt(10).power(6))
        #expect(wethOut < BigUInt(10).power(18) && wethOut > BigUInt(99) * BigUInt(10).power(16), "3,000 USDC buys just under 1 WETH")
    }

    /// A pool read from a chain knows the ticks of the bitmap words it read: a swap staying inside them is priced
    /// as before, one that would leave them is refused instead of priced on liquidity nobody read.
    @Test func aSwapLeavingTheTicksReadIsRefused() throws {
        let whole = try ConcentratedPool(
            sqrtPriceX96: BigUInt(1) << 96, tickSpacing: 60,
            positions: [LiquidityPosition(lowerTick: -60_000, upperTick: 60_000, liquidity: BigUInt(10).power(18))],
            feePips: 3000, baseDecimals: 18, quoteDecimals: 18)
        // Words −1 and 0 at spacing 60: ticks −15,360 … 15,300.
        let read = ConcentratedPool(sqrtPriceX96: whole.sqrtPriceX96, tick: whole.tick, liquidity: whole.liquidity, ticks: whole.ticks,
                                    tickSpacing: 60, feePips: 3000, baseDecimals: 18, quoteDecimals: 18,
                                    knownTicks: -15_360...15_300)
        let small = BigUInt(10).power(16)
        #expect(try read.sellBase(small).quoteOut == whole.sellBase(small).quoteOut)
        // Selling 3 base takes the price to 1/16 (tick ≈ −27,700), past the words read.
        let large = BigUInt(3) * BigUInt(10).power(18)
        #expect(throws: PoolMathError.beyondKnownTicks(-15_360...15_300)) { try read.sellBase(large) }
        #expect(try whole.sellBase(large).quoteOut > 0, "the whole pool could price it")
    }

    /// Ticks read by another unit than the bitmap's words (a Whirlpool's tick arrays of 88 spacings): a step whose
    /// word edge lies past them stops at their edge, so a swap that ends inside is priced as with every tick known,
    /// and one that would go past is refused.
    @Test func aRangeNotAlignedToWordsPricesWhatStaysInsideIt() throws {
        let whole = try ConcentratedPool(
            sqrtPriceX96: BigUInt(1) << 96, tickSpacing: 64,
            positions: [LiquidityPosition(lowerTick: -64_000, upperTick: 64_000, liquidity: BigUInt(10).power(18))],
            feePips: 3000, baseDecimals: 18, quoteDecimals: 18)
        // Five arrays of 88 × 64 ticks around tick 0: −11,264 … 16,895, inside word 0 neither way.
        let known = -11_264...16_895
        let read = ConcentratedPool(sqrtPriceX96: whole.sqrtPriceX96, tick: whole.tick, liquidity: whole.liquidity, ticks: whole.ticks,
                                    tickSpacing: 64, feePips: 3000, baseDecimals: 18, quoteDecimals: 18, knownTicks: known)
        for amount in [BigUInt(10).power(15), BigUInt(10).power(17)] {
            #expect(try read.sellBase(amount).quoteOut == whole.sellBase(amount).quoteOut)
            #expect(try read.spendQuote(amount).baseOut == whole.spendQuote(amount).baseOut)
        }
        // Selling 3 base takes the price past tick −11,264.
        #expect(throws: PoolMathError.beyondKnownTicks(known)) { try read.sellBase(BigUInt(3) * BigUInt(10).power(18)) }
    }

    private func makePool(_ spec: [String: Any]) throws -> ConcentratedPool {
        let positions = (spec["positions"] as? [[Any]] ?? []).map { entry in
            LiquidityPosition(lowerTick: entry[0] as? Int ?? 0, upperTick: entry[1] as? Int ?? 0,
                              liquidity: BigUInt(entry[2] as? String ?? "0", radix: 10) ?? 0)
        }
        return try ConcentratedPool(sqrtPriceX96: spec.big("sqrtPriceX96"), tickSpacing: spec.int("tickSpacing"),
                                    positions: positions, feePips: spec.int("feePips"), baseDecimals: 18,
                                    quoteDecimals: 18)
    }
}
