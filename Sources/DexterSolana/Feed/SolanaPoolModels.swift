import BigInt
import DexterCore
import DexterCrypto
import DexterMarket

/// The programs whose pools the feed reads, by their mainnet ids.
public enum SolanaPoolKind: String, Sendable, Hashable, CaseIterable {
    case whirlpool
    case raydiumCPMM
    case raydiumAMMv4

    public var program: SolanaPublicKey {
        switch self {
        case .whirlpool: Self.whirlpoolProgram
        case .raydiumCPMM: Self.raydiumCPMMProgram
        case .raydiumAMMv4: Self.raydiumAMMv4Program
        }
    }

    static let whirlpoolProgram = try! SolanaPublicKey(base58: "whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc")
    static let raydiumCPMMProgram = try! SolanaPublicKey(base58: "CPMMoo8L3F4NbTegBCKVNunggL7H1ZpdTHKxQB5qKP1C")
    static let raydiumAMMv4Program = try! SolanaPublicKey(base58: "675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8")
}

/// Why a watched pool's accounts could not be made into a market: the pool is named, and what was wrong.
public struct SolanaPoolFeedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// "orca SOL/USDC (Czfq…)": the venue, the pair and the pool's address.
    public let pool: String
    public let reason: String

    public var description: String { "\(pool): \(reason)" }
}

/// The desk's model of a Solana pool, made from the program's accounts exactly as read. The desk model is the
/// Uniswap one (`ConcentratedPool`, `ConstantProductPool`): it screens and fills paper orders; it is not the
/// program's arithmetic to the unit (SolanaPoolFeedTests measures how far it is).
public enum SolanaPoolModels {
    /// A Whirlpool as a concentrated pool: token A is token0 (the program's price is B per A), the Q64.64 sqrt price
    /// shifted to Q64.96, every initialized tick of the arrays read (the arrays' span is all that is known), the
    /// fee in hundredths of a basis point as Uniswap's pips are.
    public static func concentrated(_ pool: WhirlpoolState, tickArrays: [WhirlpoolTickArray], decimalsA: Int,
                                    decimalsB: Int, baseIsA: Bool) -> ConcentratedPool {
        let spacing = Int(pool.tickSpacing)
        let span = WhirlpoolTickArray.ticksPerArray * spacing
        var ticks: [InitializedTick] = []
        for array in tickArrays {
            for (index, tick) in array.ticks.enumerated() where tick.initialized {
                ticks.append(InitializedTick(tick: Int(array.startTickIndex) + index * spacing,
                                             liquidityNet: BigInt(tick.liquidityNet)))
            }
        }
        ticks.sort { $0.tick < $1.tick }
        // The arrays are the contiguous window around the price the feed reads; their span, within the program's
        // ticks, is what is known (arrays wholly outside them know nothing: only the current tick is then known).
        let starts = tickArrays.map { Int($0.startTickIndex) }
        let known = starts.min().map { lowest -> ClosedRange<Int> in
            let lower = max(lowest, WhirlpoolMath.minTick), upper = min(starts.max()! + span - 1, WhirlpoolMath.maxTick)
            return lower <= upper ? lower...upper : Int(pool.tickCurrentIndex)...Int(pool.tickCurrentIndex)
        }
        return ConcentratedPool(
            sqrtPriceX96: BigUInt(pool.sqrtPrice) << 32, tick: Int(pool.tickCurrentIndex),
            liquidity: BigUInt(pool.liquidity), ticks: ticks, tickSpacing: spacing, feePips: Int(pool.feeRate),
            baseDecimals: baseIsA ? decimalsA : decimalsB, quoteDecimals: baseIsA ? decimalsB : decimalsA,
            baseIsToken0: baseIsA, knownTicks: known)
    }

    /// A CPMM pool as a constant-product pool: the reserves the program's curve uses (vaults less accrued fees) and
    /// its trade fee in basis points, which the desk model needs whole.
    public static func constantProduct(_ pool: RaydiumCPMMPool, config: RaydiumCPMMConfig, vault0: UInt64,
                                       vault1: UInt64, baseIsToken0: Bool) throws(SolanaPoolFeedError.Reason)
        -> ConstantProductPool {
        guard config.tradeFeeRate % 100 == 0 else {
            throw .init("the AmmConfig's trade_fee_rate \(config.tradeFeeRate) (millionths) is not a whole basis point, "
                        + "which the desk's constant-product model needs")
        }
        let reserves: (UInt64, UInt64)
        do { reserves = try pool.reserves(vault0: vault0, vault1: vault1) } catch {
            throw .init("vault balances \(vault0) and \(vault1) are below the fees accrued in them (\(error))")
        }
        let (base, quote) = baseIsToken0 ? reserves : (reserves.1, reserves.0)
        let (baseDecimals, quoteDecimals) = baseIsToken0 ? (pool.mint0Decimals, pool.mint1Decimals)
                                                         : (pool.mint1Decimals, pool.mint0Decimals)
        return ConstantProductPool(reserveBase: BigUInt(base), reserveQuote: BigUInt(quote),
                                   feeBps: Int(config.tradeFeeRate / 100), baseDecimals: Int(baseDecimals),
                                   quoteDecimals: Int(quoteDecimals))
    }

    /// An AMM v4 pool as a constant-product pool: its reserves (vaults less profit not yet taken) and its swap fee in
    /// basis points, which the desk model needs whole.
    public static func constantProduct(_ pool: RaydiumAMMv4Pool, coinVault: UInt64, pcVault: UInt64,
                                       baseIsCoin: Bool) throws(SolanaPoolFeedError.Reason) -> ConstantProductPool {
        let scaled = UInt128(pool.swapFeeNumerator) * 10_000
        guard scaled % UInt128(pool.swapFeeDenominator) == 0 else {
            throw .init("the swap fee \(pool.swapFeeNumerator)/\(pool.swapFeeDenominator) is not a whole basis point, "
                        + "which the desk's constant-product model needs")
        }
        let reserves: (coin: UInt64, pc: UInt64)
        do { reserves = try pool.reserves(coinVault: coinVault, pcVault: pcVault) } catch { throw .init(error.description) }
        let (base, quote) = baseIsCoin ? (reserves.coin, reserves.pc) : (reserves.pc, reserves.coin)
        let (baseDecimals, quoteDecimals) = baseIsCoin ? (pool.coinDecimals, pool.pcDecimals) : (pool.pcDecimals, pool.coinDecimals)
        return ConstantProductPool(reserveBase: BigUInt(base), reserveQuote: BigUInt(quote),
                                   feeBps: Int(scaled / UInt128(pool.swapFeeDenominator)), baseDecimals: Int(baseDecimals),
                                   quoteDecimals: Int(quoteDecimals))
    }

    /// The instrument a pool trades as: a quote unit of price, a base unit of size (at most 8 places), as an EVM pool.
    static func instrument(_ symbol: Symbol, baseDecimals: Int, quoteDecimals: Int) -> InstrumentSpec {
        InstrumentSpec(symbol: symbol, tickSize: FixedDecimal(units: 1, decimals: min(quoteDecimals, 18)),
                       lotSize: FixedDecimal(units: 1, decimals: min(baseDecimals, 8)), minNotional: .zero)
    }
}

extension SolanaPoolFeedError {
    /// What was wrong, before the pool it was wrong in is named.
    public struct Reason: Error, Sendable, Hashable {
        let text: String
        init(_ text: String) { self.text = text }
    }

    init(_ pool: String, _ reason: Reason) {
        self.init(pool: pool, reason: reason.text)
    }
}
