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
            // Virtual base reserve x = L / √P, so L = x · √P (both in raw units, √P in Q64.96).
            let liquidity = baseUnits * current >> 96
            return .concentrated(ConcentratedPool(
                sqrtPriceX96: current, liquidity: liquidity, sqrtLowerX96: sqrtX96(price * (1 - rangeWidth)),
                sqrtUpperX96: sqrtX96(price * (1 + rangeWidth)), feePips: feePips,
                baseDecimals: spec.baseDecimals, quoteDecimals: spec.quoteDecimals))
        case .stableSwap(let amplification, let fee):
            return .stableSwap(StableSwapPool(
                balances: [baseUnits, quoteUnits], decimals: [spec.baseDecimals, spec.quoteDecimals],
                amplification: BigUInt(amplification) * StableSwapPool.aPrecision, fee: BigUInt(fee)))
        }
    }
}
