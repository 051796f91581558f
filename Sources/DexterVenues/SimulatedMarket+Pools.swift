#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BigInt
import DexterCore
import DexterMarket

extension SimulatedMarket {
    /// A pool of `spec`'s family priced at `price`, holding `spec.baseReserve` base (virtual, for a range).
    static func makePool(_ spec: SimulatedPool, price: Double) -> Liquidity {
        let baseUnits = BigUInt(spec.baseReserve * pow(10.0, Double(spec.baseDecimals)))
        let quoteUnits = BigUInt(spec.baseReserve * price * pow(10.0, Double(spec.quoteDecimals)))
        switch spec.kind {
        case .constantProduct(let feeBps):
            return .constantProduct(ConstantProductPool(
                reserveBase: baseUnits, reserveQuote: quoteUnits, feeBps: feeBps,
                baseDecimals: spec.baseDecimals, quoteDecimals: spec.quoteDecimals))
        case .concentrated(let feePips, let rangeWidth):
            func sqrtX96(_ value: Double) -> BigUInt {
                ConcentratedPool.sqrtPriceX96(price: FixedDecimal(approximating: value).rounded(digits: 12),
                                              baseDecimals: spec.baseDecimals, quoteDecimals: spec.quoteDecimals)
            }
            let current = sqrtX96(price)
            // Virtual base reserve x = L / √P near the price, so L = x · √P (raw units, √P in Q64.96), split over
            // three nested positions as LPs stack them: a tight core, the main range and a thin wide tail. Swaps
            // that leave the core cross ticks.
            let near = baseUnits * current >> 96
            func position(_ width: Double, share: Int) -> LiquidityPosition? {
                guard let lower = try? TickMath.tick(atSqrtRatio: sqrtX96(price * (1 - width))),
                      let upper = try? TickMath.tick(atSqrtRatio: sqrtX96(price * (1 + width))) else { return nil }
                let spacing = SimulatedPool.tickSpacing
                let alignedLower = Int((Double(lower) / Double(spacing)).rounded(.down)) * spacing
                let alignedUpper = Int((Double(upper) / Double(spacing)).rounded(.up)) * spacing
                return LiquidityPosition(lowerTick: alignedLower, upperTick: alignedUpper,
                                         liquidity: near * BigUInt(share) / 100)
            }
            let positions = [position(rangeWidth / 4, share: 35), position(rangeWidth, share: 50),
                             position(min(0.95, rangeWidth * 3), share: 15)].compactMap { $0 }
            // The positions are valid by construction (aligned, ordered, inside the tick range).
            let pool = try! ConcentratedPool(sqrtPriceX96: current, tickSpacing: SimulatedPool.tickSpacing,
                                             positions: positions, feePips: feePips,
                                             baseDecimals: spec.baseDecimals, quoteDecimals: spec.quoteDecimals)
            return .concentrated(pool)
        case .stableSwap(let amplification, let fee):
            return .stableSwap(StableSwapPool(
                balances: [baseUnits, quoteUnits], decimals: [spec.baseDecimals, spec.quoteDecimals],
                amplification: BigUInt(amplification) * StableSwapPool.aPrecision, fee: BigUInt(fee)))
        }
    }
}
