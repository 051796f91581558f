import DexterCrypto

/// A Raydium CP-Swap (CPMM) PoolState account (637 bytes, packed; layouts.md). The reserves are not in it: they are
/// the vaults' balances less the fees accrued and not yet collected.
public struct RaydiumCPMMPool: Sendable, Hashable {
    public static let size = 637
    public static let discriminator: [UInt8] = [0xf7, 0xed, 0xe3, 0xf5, 0xd7, 0xc3, 0xde, 0x46]

    public var ammConfig: SolanaPublicKey
    public var token0Vault: SolanaPublicKey
    public var token1Vault: SolanaPublicKey
    public var token0Mint: SolanaPublicKey
    public var token1Mint: SolanaPublicKey
    public var token0Program: SolanaPublicKey
    public var token1Program: SolanaPublicKey
    public var observationKey: SolanaPublicKey
    /// Bit flags; bit 2 set disables swaps (0 = everything enabled).
    public var status: UInt8
    public var mint0Decimals: UInt8
    public var mint1Decimals: UInt8
    public var protocolFeesToken0: UInt64
    public var protocolFeesToken1: UInt64
    public var fundFeesToken0: UInt64
    public var fundFeesToken1: UInt64
    /// Unix seconds; a swap before it fails NotApproved.
    public var openTime: UInt64

    public init(decoding data: [UInt8]) throws(AccountDecodeError) {
        let reader = try AccountBytes(data, account: "CPMM PoolState", size: Self.size, discriminator: Self.discriminator)
        ammConfig = try reader.key("amm_config", 8)
        token0Vault = try reader.key("token_0_vault", 72)
        token1Vault = try reader.key("token_1_vault", 104)
        token0Mint = try reader.key("token_0_mint", 168)
        token1Mint = try reader.key("token_1_mint", 200)
        token0Program = try reader.key("token_0_program", 232)
        token1Program = try reader.key("token_1_program", 264)
        observationKey = try reader.key("observation_key", 296)
        status = try reader.u8("status", 329)
        mint0Decimals = try reader.u8("mint_0_decimals", 331)
        mint1Decimals = try reader.u8("mint_1_decimals", 332)
        protocolFeesToken0 = try reader.u64("protocol_fees_token_0", 341)
        protocolFeesToken1 = try reader.u64("protocol_fees_token_1", 349)
        fundFeesToken0 = try reader.u64("fund_fees_token_0", 357)
        fundFeesToken1 = try reader.u64("fund_fees_token_1", 365)
        openTime = try reader.u64("open_time", 373)
    }
}

/// A CPMM AmmConfig account (236 bytes): the fee rates, all millionths.
public struct RaydiumCPMMConfig: Sendable, Hashable {
    public static let size = 236
    public static let discriminator: [UInt8] = [0xda, 0xf4, 0x21, 0x68, 0xcb, 0xcb, 0x2b, 0x6f]
    static let rateDenominator: UInt64 = 1_000_000

    public var index: UInt16
    /// Of the input amount.
    public var tradeFeeRate: UInt64
    /// Of the trade fee.
    public var protocolFeeRate: UInt64
    /// Of the trade fee.
    public var fundFeeRate: UInt64

    public init(decoding data: [UInt8]) throws(AccountDecodeError) {
        let reader = try AccountBytes(data, account: "CPMM AmmConfig", size: Self.size, discriminator: Self.discriminator)
        index = try reader.u16("index", 10)
        tradeFeeRate = try reader.u64("trade_fee_rate", 12)
        protocolFeeRate = try reader.u64("protocol_fee_rate", 20)
        fundFeeRate = try reader.u64("fund_fee_rate", 28)
        // The program's own bounds (a rate of the whole amount or fee): past them its arithmetic underflows.
        for (field, offset, rate) in [("trade_fee_rate", 12, tradeFeeRate), ("protocol_fee_rate", 20, protocolFeeRate),
                                      ("fund_fee_rate", 28, fundFeeRate)] where rate > Self.rateDenominator {
            throw reader.failure(field, offset, "\(rate) is above 1,000,000 (100 %)")
        }
        guard tradeFeeRate < Self.rateDenominator else {
            throw reader.failure("trade_fee_rate", 12, "\(tradeFeeRate): a 100 % fee leaves nothing to swap")
        }
        guard protocolFeeRate + fundFeeRate <= Self.rateDenominator else {
            throw reader.failure("fund_fee_rate", 28, "protocol \(protocolFeeRate) + fund \(fundFeeRate) exceed 100 % of the fee")
        }
    }
}
