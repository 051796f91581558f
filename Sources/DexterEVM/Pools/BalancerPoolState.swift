import BigInt
import DexterCrypto
import DexterMarket

/// A Balancer V2 weighted pool as read from the chain at `block`: the Vault's `getPoolTokens(poolId)` (tokens in the
/// Vault's order and their balances) with the pool's normalized weights and swap fee.
public struct BalancerPoolState: Sendable, Hashable {
    public let dex: String
    public let address: EthereumAddress
    public let poolId: [UInt8]
    public let tokens: [EthereumAddress]
    public let decimals: [Int]
    public let balances: [BigUInt]
    /// 18-decimal, summing to 1e18.
    public let weights: [BigUInt]
    /// 18-decimal: 3e15 = 0.3 %.
    public let swapFee: BigUInt
    public internal(set) var block: UInt64

    public var name: String { "\(dex) \(address.checksummed.prefix(10))…" }

    public func index(of token: EthereumAddress) -> Int? { tokens.firstIndex(of: token) }

    var scalingFactors: [BigUInt] { decimals.map { BigUInt(10).power(18 - $0) } }

    /// DexterMarket's weighted pool with `base` and `quote` as the pair (both among the tokens), balances scaled to
    /// 18 decimals, the fee taken off raw amounts as the V2 vault's pools do.
    public func pool(base: EthereumAddress, quote: EthereumAddress) -> WeightedPool? {
        guard let baseIndex = index(of: base), let quoteIndex = index(of: quote), baseIndex != quoteIndex else { return nil }
        return WeightedPool(balancesScaled18: zip(balances, scalingFactors).map { $0 * $1 }, weights: weights,
                            scalingFactors: scalingFactors, swapFee: swapFee, feeOnRawAmounts: true, baseIndex: baseIndex,
                            quoteIndex: quoteIndex)
    }

    /// What the V2 vault pays for exactly `amountIn` of token `i` into token `j` (BaseMinimalSwapInfoPool.onSwap,
    /// GIVEN_IN): the fee off the raw amount (rounded up), balances and amount upscaled, WeightedMath's out given in,
    /// downscaled rounding down.
    public func amountOut(i: Int, j: Int, amountIn: BigUInt) throws(PoolMathError) -> BigUInt {
        guard amountIn > 0 else { throw .insufficientInputAmount }
        let afterFee = amountIn - BalancerFixedPoint.mulUp(amountIn, swapFee)
        let factors = scalingFactors
        let out = try WeightedMath.outGivenIn(
            balanceIn: balances[i] * factors[i], weightIn: weights[i], balanceOut: balances[j] * factors[j],
            weightOut: weights[j], amountIn: afterFee * factors[i])
        return out / factors[j]
    }
}
