import DexterCrypto

/// An Orca Whirlpool pool account (653 bytes), the fields a quote reads (layouts.md, "Whirlpool").
public struct WhirlpoolState: Sendable, Hashable {
    public static let size = 653
    public static let discriminator: [UInt8] = [0x3f, 0x95, 0xd1, 0x0c, 0xe1, 0x80, 0x63, 0x09]

    public var whirlpoolsConfig: SolanaPublicKey
    public var tickSpacing: UInt16
    /// Hundredths of a basis point of the input: 3000 = 0.30 %.
    public var feeRate: UInt16
    /// Basis points of the fee that go to the protocol.
    public var protocolFeeRate: UInt16
    public var liquidity: UInt128
    /// Q64.64 square root of the price of A in units of B.
    public var sqrtPrice: UInt128
    public var tickCurrentIndex: Int32
    public var protocolFeeOwedA: UInt64
    public var protocolFeeOwedB: UInt64
    public var tokenMintA: SolanaPublicKey
    public var tokenVaultA: SolanaPublicKey
    public var feeGrowthGlobalA: UInt128
    public var tokenMintB: SolanaPublicKey
    public var tokenVaultB: SolanaPublicKey
    public var feeGrowthGlobalB: UInt128
    public var rewardLastUpdatedTimestamp: UInt64

    public init(decoding data: [UInt8]) throws(AccountDecodeError) {
        let reader = try AccountBytes(data, account: "Whirlpool", size: Self.size, discriminator: Self.discriminator)
        whirlpoolsConfig = try reader.key("whirlpools_config", 8)
        tickSpacing = try reader.u16("tick_spacing", 41)
        feeRate = try reader.u16("fee_rate", 45)
        protocolFeeRate = try reader.u16("protocol_fee_rate", 47)
        liquidity = try reader.u128("liquidity", 49)
        sqrtPrice = try reader.u128("sqrt_price", 65)
        tickCurrentIndex = try reader.i32("tick_current_index", 81)
        protocolFeeOwedA = try reader.u64("protocol_fee_owed_a", 85)
        protocolFeeOwedB = try reader.u64("protocol_fee_owed_b", 93)
        tokenMintA = try reader.key("token_mint_a", 101)
        tokenVaultA = try reader.key("token_vault_a", 133)
        feeGrowthGlobalA = try reader.u128("fee_growth_global_a", 165)
        tokenMintB = try reader.key("token_mint_b", 181)
        tokenVaultB = try reader.key("token_vault_b", 213)
        feeGrowthGlobalB = try reader.u128("fee_growth_global_b", 245)
        rewardLastUpdatedTimestamp = try reader.u64("reward_last_updated_timestamp", 261)
        // The program itself refuses these (tick spacing 0 divides by zero; the price outside its bounds is
        // unreachable), so an account holding them is not a pool we can quote.
        guard tickSpacing > 0 else { throw reader.failure("tick_spacing", 41, "0") }
        guard feeRate <= WhirlpoolMath.maxFeeRate else {
            throw reader.failure("fee_rate", 45, "\(feeRate) is above the program's maximum \(WhirlpoolMath.maxFeeRate)")
        }
        guard protocolFeeRate <= WhirlpoolMath.maxProtocolFeeRate else {
            throw reader.failure("protocol_fee_rate", 47,
                                 "\(protocolFeeRate) is above the program's maximum \(WhirlpoolMath.maxProtocolFeeRate)")
        }
        guard (WhirlpoolMath.minSqrtPrice...WhirlpoolMath.maxSqrtPrice).contains(sqrtPrice) else {
            throw reader.failure("sqrt_price", 65, "\(sqrtPrice) is outside the program's bounds")
        }
        // The tick is the largest whose price is not above the sqrt price, or one less when a downward swap
        // stopped exactly on a tick's price (layouts.md): any other pair the program never writes, and a quote
        // from it would walk the price the wrong way.
        let priced = (try? WhirlpoolMath.tick(atSqrtPrice: sqrtPrice)) ?? Int.min
        let onTickBelow = (try? WhirlpoolMath.sqrtPrice(atTick: priced)) == sqrtPrice && Int(tickCurrentIndex) == priced - 1
        guard Int(tickCurrentIndex) == priced || onTickBelow else {
            throw reader.failure("tick_current_index", 81, "\(tickCurrentIndex) does not match sqrt_price \(sqrtPrice) (tick \(priced))")
        }
    }
}

/// One tick of a tick array: what a swap crossing it needs.
public struct WhirlpoolTick: Sendable, Hashable {
    public var initialized: Bool
    /// Added to the liquidity when the price crosses upward (b→a), subtracted crossing downward (a→b).
    public var liquidityNet: Int128
    public var liquidityGross: UInt128

    public static let uninitialized = WhirlpoolTick(initialized: false, liquidityNet: 0, liquidityGross: 0)
}

/// A Whirlpool TickArray account (9,988 bytes): 88 ticks from `startTickIndex`, one every tick spacing.
public struct WhirlpoolTickArray: Sendable, Hashable {
    public static let size = 9988
    public static let ticksPerArray = 88
    public static let discriminator: [UInt8] = [0x45, 0x61, 0xbd, 0xbe, 0x6e, 0x07, 0x42, 0xbb]

    public var startTickIndex: Int32
    public var ticks: [WhirlpoolTick]
    public var whirlpool: SolanaPublicKey?

    public init(decoding data: [UInt8]) throws(AccountDecodeError) {
        let reader = try AccountBytes(data, account: "TickArray", size: Self.size, discriminator: Self.discriminator)
        startTickIndex = try reader.i32("start_tick_index", 8)
        var ticks: [WhirlpoolTick] = []
        ticks.reserveCapacity(Self.ticksPerArray)
        for index in 0..<Self.ticksPerArray {
            let base = 12 + 113 * index
            ticks.append(WhirlpoolTick(initialized: try reader.bool("ticks[\(index)].initialized", base),
                                       liquidityNet: try reader.i128("ticks[\(index)].liquidity_net", base + 1),
                                       liquidityGross: try reader.u128("ticks[\(index)].liquidity_gross", base + 17)))
        }
        self.ticks = ticks
        whirlpool = try reader.key("whirlpool", 9956)
    }

    /// A tick-array PDA with no account: the program takes it as 88 uninitialized ticks.
    public init(absentAt startTickIndex: Int32) {
        self.startTickIndex = startTickIndex
        ticks = Array(repeating: .uninitialized, count: Self.ticksPerArray)
        whirlpool = nil
    }

    /// The start index of the array holding `tick`: floor division, as the program computes it.
    public static func startIndex(holding tick: Int, tickSpacing: UInt16) -> Int {
        let span = ticksPerArray * Int(tickSpacing)
        return tick - floorMod(tick, span)
    }

    static func floorMod(_ value: Int, _ divisor: Int) -> Int {
        let remainder = value % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
