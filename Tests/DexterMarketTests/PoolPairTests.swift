import BigInt
import DexterCore
import Testing
@testable import DexterMarket

/// A pool of more than two coins traded as one of its pairs, and a Balancer weighted pool as a market: the desk's quote
/// and swap are the pool's own math on that pair's coins, in the contract's coin order.
@Suite struct PoolPairTests {
    static let venue = VenueSpec(id: "pool", kind: .dex(chain: "local"), takerFee: .zero, stalenessBound: .seconds(30))
    static let e18 = BigUInt(10).power(18), e6 = BigUInt(10).power(6)

    static func market(_ liquidity: Liquidity, _ base: Asset, _ quote: Asset, _ baseDecimals: Int) -> Market {
        Market(venue: venue, instrument: InstrumentSpec(symbol: Symbol(base: base, quote: quote),
                                                        tickSize: FixedDecimal(units: 1, decimals: 6),
                                                        lotSize: FixedDecimal(units: 1, decimals: min(baseDecimals, 8)),
                                                        minNotional: .zero),
               liquidity: liquidity)
    }

    /// A 3pool-like pool (DAI 18, USDC 6, USDT 6) traded as USDT/USDC: coins 2 and 1.
    @Test func aThreeCoinStableSwapPoolTradesAsOneOfItsPairs() throws {
        let pool = StableSwapPool(balances: [30_000_000 * Self.e18, 25_000_000 * Self.e6, 20_000_000 * Self.e6],
                                  decimals: [18, 6, 6], amplification: 200_000, fee: 1_000_000, baseIndex: 2, quoteIndex: 1)
        let market = Self.market(.stableSwap(pool), "USDT", "USDC", 6)
        let sell = try market.quote(.sell, quantity: FixedDecimal(10_000))
        #expect(sell.cash == FixedDecimal(units: Int128(try pool.amountOut(i: 2, j: 1, dx: 10_000 * Self.e6)), decimals: 6))
        let mid = try #require(market.mid)
        #expect(mid > 0.99 && mid < 1.01)
        var liquidity = Liquidity.stableSwap(pool)
        let moved = try liquidity.swap(.sell, baseUnits: 10_000 * Self.e6)
        guard case .stableSwap(let after) = liquidity else { Issue.record("not a pool"); return }
        #expect(after.balances == [pool.balances[0], pool.balances[1] - moved.quote, pool.balances[2] + 10_000 * Self.e6])
    }

    /// Balancer V2 takes the fee off the raw amount in, V3 off the scaled one: one answer for 18-decimal tokens, and
    /// V2's never more than V3's for fewer decimals (its fee is rounded up on coarser units).
    @Test func weightedFeesOnRawAndScaledAmountsAgreeAt18Decimals() throws {
        func pool(_ decimals: [Int], raw: Bool) -> WeightedPool {
            let factors = decimals.map { BigUInt(10).power(18 - $0) }
            return WeightedPool(balancesScaled18: [2_000_000 * Self.e18, 1_500_000 * Self.e18],
                                weights: [8 * BigUInt(10).power(17), 2 * BigUInt(10).power(17)], scalingFactors: factors,
                                swapFee: 3 * BigUInt(10).power(15), feeOnRawAmounts: raw)
        }
        for amount in [BigUInt(1), 123_456_789, 1_000 * Self.e18] {
            #expect(try pool([18, 18], raw: true).amountOut(i: 0, j: 1, amountIn: amount)
                    == pool([18, 18], raw: false).amountOut(i: 0, j: 1, amountIn: amount))
        }
        let v2 = try pool([18, 6], raw: true).amountOut(i: 1, j: 0, amountIn: 1_234_567)
        let v3 = try pool([18, 6], raw: false).amountOut(i: 1, j: 0, amountIn: 1_234_567)
        #expect(v2 <= v3 && v3 - v2 < Self.e18 / 1000)
    }

    /// BAL (18) / USDC (6) at 80/20 as a market: quotes, the screen's price, and a swap that moves the balances.
    @Test func aWeightedPoolIsAMarket() throws {
        let pool = WeightedPool(balancesScaled18: [2_000_000 * Self.e18, 1_500_000 * Self.e18],
                                weights: [8 * BigUInt(10).power(17), 2 * BigUInt(10).power(17)],
                                scalingFactors: [1, BigUInt(10).power(12)], swapFee: 3 * BigUInt(10).power(15),
                                feeOnRawAmounts: true)
        let market = Self.market(.weighted(pool), "BAL", "USDC", 18)
        let mid = try #require(market.mid)
        #expect(abs(mid - 3) < 0.001, "BAL at \(mid) USDC")
        let sell = try market.quote(.sell, quantity: FixedDecimal(1_000))
        #expect(sell.cash == FixedDecimal(units: Int128(try pool.amountOut(i: 0, j: 1, amountIn: 1_000 * Self.e18)),
                                          decimals: 6))
        #expect(sell.fee.isPositive)
        let buy = try market.quote(.buy, quantity: FixedDecimal(1_000))
        #expect(buy.cash == FixedDecimal(units: Int128(try pool.amountIn(i: 1, j: 0, amountOut: 1_000 * Self.e18)),
                                         decimals: 6))
        #expect(buy.cash > sell.cash)
        var liquidity = Liquidity.weighted(pool)
        let moved = try liquidity.swap(.buy, baseUnits: 1_000 * Self.e18)
        guard case .weighted(let after) = liquidity else { Issue.record("not a pool"); return }
        #expect(after.balancesScaled18 == [pool.balancesScaled18[0] - 1_000 * Self.e18,
                                           pool.balancesScaled18[1] + moved.quote * BigUInt(10).power(12)])
        #expect(liquidity.baseDecimals == 18 && liquidity.quoteDecimals == 6)
    }
}
