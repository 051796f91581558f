import BigInt
import DexterCrypto
import DexterMarket

/// A Curve StableSwap plain pool as read from the chain at `block`: its coins in the contract's order, their
/// balances (`balances(i)`: what the pool's math uses, the admin's share already out), A with its precision, and
/// the fee. Held whole and re-read whole: a small pool's state is a few words.
public struct CurvePoolState: Sendable, Hashable {
    public let dex: String
    public let address: EthereumAddress
    public let coins: [EthereumAddress]
    public let decimals: [Int]
    public let balances: [BigUInt]
    /// A × A_PRECISION (100): `A_precise()` where the pool offers it, else `A()` × 100 (the 3pool's math without the
    /// precision gives the same integers when A is whole).
    public let amplification: BigUInt
    /// Whether the pool answered `A_precise()`.
    public let offersAPrecise: Bool
    /// Over 1e10: 1_000_000 = 0.01 %.
    public let fee: BigUInt
    /// Over 1e10: the admin's share of each fee, taken out of the balance by the exchange itself (never part of the
    /// swap's price, so the quote does not need it; kept for the screens).
    public let adminFee: BigUInt
    /// When a ramp of A ends (`future_A_time`, unix seconds); 0 when A never ramped. While a ramp runs, A moves with
    /// every block's timestamp, and the pool is read again each block.
    public let rampEnds: UInt64
    public internal(set) var block: UInt64

    public var name: String { "\(dex) \(address.checksummed.prefix(10))…" }

    /// The state from a pool's answers, refused where they cannot be a working plain pool (the math would divide by
    /// zero, underflow or scale by a negative power): 2 to 8 coins, one balance and decimals ≤ 36 each, A > 0 and a
    /// fee under 100 %.
    public static func validated(dex: String, address: EthereumAddress, coins: [EthereumAddress], decimals: [Int],
                                 balances: [BigUInt], a: BigUInt, aPrecise: BigUInt?, fee: BigUInt, adminFee: BigUInt,
                                 rampEnds: BigUInt, block: UInt64) throws(PoolReadError) -> CurvePoolState {
        func disagrees(_ field: String, _ problem: String) -> PoolReadError {
            .poolDisagrees(dex: dex, pair: address.checksummed, fee: nil, field: field, problem: problem)
        }
        guard (2...8).contains(coins.count) else { throw disagrees("coins", "\(coins.count) coins") }
        guard balances.count == coins.count else {
            throw disagrees("balances", "\(balances.count) for \(coins.count) coins")
        }
        guard decimals.count == coins.count, decimals.allSatisfy((0...36).contains) else {
            throw disagrees("decimals", "\(decimals): one per coin, none above 36")
        }
        let amplification = aPrecise ?? a * 100
        guard amplification > 0, a <= 1_000_000, fee < StableSwapPool.feeDenominator else {
            throw disagrees("A/fee", "A \(a), fee \(fee): not a working pool")
        }
        return CurvePoolState(dex: dex, address: address, coins: coins, decimals: decimals, balances: balances,
                              amplification: amplification, offersAPrecise: aPrecise != nil, fee: fee,
                              adminFee: adminFee, rampEnds: UInt64(clamping: rampEnds), block: block)
    }

    public func index(of token: EthereumAddress) -> Int? { coins.firstIndex(of: token) }

    /// DexterMarket's exact pool with `base` and `quote` as the pair (both among the coins).
    public func pool(base: EthereumAddress, quote: EthereumAddress) -> StableSwapPool? {
        guard let baseIndex = index(of: base), let quoteIndex = index(of: quote), baseIndex != quoteIndex else {
            return nil
        }
        return StableSwapPool(balances: balances, decimals: decimals, amplification: amplification, fee: fee,
                              baseIndex: baseIndex, quoteIndex: quoteIndex)
    }

    /// What an `exchange(i, j, dx)` pays out: the fee taken in 18-decimal units, then scaled to coin j.
    public func exchangeOut(i: Int, j: Int, dx: BigUInt) throws -> BigUInt {
        try getDy(i: i, j: j, dx: dx).feeBeforeScaling
    }

    /// Curve's two generations of `get_dy`: the pools from the 3pool's time scale the output to coin j's units before
    /// taking the fee (`scaledBeforeFee`); the factory and NG pools take the fee first, as `exchange` does. With
    /// 18-decimal coins both are one number; with 6-decimal ones they can differ by a unit.
    public struct GetDy: Sendable, Hashable {
        public let scaledBeforeFee: BigUInt
        public let feeBeforeScaling: BigUInt

        public func matches(_ chain: BigUInt) -> Bool { chain == scaledBeforeFee || chain == feeBeforeScaling }
    }

    public func getDy(i: Int, j: Int, dx: BigUInt) throws -> GetDy {
        let math = StableSwapPool(balances: balances, decimals: decimals, amplification: amplification, fee: fee)
        let xp = math.normalizedBalances
        let y = try math.solveY(i: i, j: j, x: xp[i] + dx * math.rates[i] / StableSwapPool.precision, xp: xp)
        // The contract's `xp[j] - y - 1` reverts below zero and pays 0 at zero (a dust input).
        guard xp[j] >= y + 1 else { throw PoolMathError.insufficientLiquidity }
        let dy = xp[j] - y - 1
        let scaled = dy * StableSwapPool.precision / math.rates[j]
        let afterFee = dy - fee * dy / StableSwapPool.feeDenominator
        return GetDy(scaledBeforeFee: scaled - fee * scaled / StableSwapPool.feeDenominator,
                     feeBeforeScaling: afterFee * StableSwapPool.precision / math.rates[j])
    }
}
