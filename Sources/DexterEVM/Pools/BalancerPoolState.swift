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

    /// The state from the pool's and the Vault's answers, refused where they cannot be a working weighted pool: 2 to
    /// 8 tokens, one balance, weight and decimals (≤ 18) each, positive weights summing to 1e18, a fee under 100 %.
    public static func validated(dex: String, address: EthereumAddress, poolId: [UInt8], tokens: [EthereumAddress],
                                 decimals: [Int], balances: [BigUInt], weights: [BigUInt], swapFee: BigUInt,
                                 block: UInt64) throws(PoolReadError) -> BalancerPoolState {
        func disagrees(_ field: String, _ problem: String) -> PoolReadError {
            .poolDisagrees(dex: dex, pair: address.checksummed, fee: nil, field: field, problem: problem)
        }
        guard (2...8).contains(tokens.count), balances.count == tokens.count, weights.count == tokens.count else {
            throw disagrees("getPoolTokens",
                            "\(tokens.count) tokens, \(balances.count) balances, \(weights.count) weights")
        }
        guard weights.reduce(0, +) == BalancerFixedPoint.one, weights.allSatisfy({ $0 > 0 }) else {
            throw disagrees("getNormalizedWeights", "\(weights): not positive weights summing to 1e18")
        }
        guard swapFee < BalancerFixedPoint.one else {
            throw disagrees("getSwapFeePercentage", "\(swapFee): 100 % or more")
        }
        guard decimals.count == tokens.count, decimals.allSatisfy((0...18).contains) else {
            throw disagrees("decimals", "\(decimals): one per token, none above 18")
        }
        return BalancerPoolState(dex: dex, address: address, poolId: poolId, tokens: tokens, decimals: decimals,
                                 balances: balances, weights: weights, swapFee: swapFee, block: block)
    }

    public func index(of token: EthereumAddress) -> Int? { tokens.firstIndex(of: token) }

    var scalingFactors: [BigUInt] { decimals.map { BigUInt(10).power(18 - $0) } }

    /// DexterMarket's weighted pool with `base` and `quote` as the pair (both among the tokens), balances scaled to
    /// 18 decimals, the fee taken off raw amounts as the V2 vault's pools do.
    public func pool(base: EthereumAddress, quote: EthereumAddress) -> WeightedPool? {
        guard let baseIndex = index(of: base), let quoteIndex = index(of: quote), baseIndex != quoteIndex else {
            return nil
        }
        return WeightedPool(balancesScaled18: zip(balances, scalingFactors).map { $0 * $1 }, weights: weights,
                            scalingFactors: scalingFactors, swapFee: swapFee, feeOnRawAmounts: true,
                            baseIndex: baseIndex, quoteIndex: quoteIndex)
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
