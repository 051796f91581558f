import DexterCrypto

/// A Raydium AMM v4 (Liquidity Pool V4, program 675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8) AmmInfo account: 752
/// bytes of u64s, u128s and keys, no discriminator (raydium-amm `state.rs`). The reserves are the vaults less the
/// profit not yet taken (`need_take_pnl`), as `calc_total_without_take_pnl_no_orderbook` computes them.
public struct RaydiumAMMv4Pool: Sendable, Hashable {
    public static let size = 752

    /// `AmmStatus`: which instructions the pool takes.
    public var status: UInt64
    public var coinDecimals: UInt64
    public var pcDecimals: UInt64
    public var swapFeeNumerator: UInt64
    public var swapFeeDenominator: UInt64
    public var needTakePnlCoin: UInt64
    public var needTakePnlPc: UInt64
    /// Unix seconds; a pool waiting to trade refuses swaps before it.
    public var poolOpenTime: UInt64
    public var coinVault: SolanaPublicKey
    public var pcVault: SolanaPublicKey
    public var coinMint: SolanaPublicKey
    public var pcMint: SolanaPublicKey

    public init(decoding data: [UInt8]) throws(AccountDecodeError) {
        let reader = try AccountBytes(data, account: "AMM v4 AmmInfo", size: Self.size, discriminator: nil)
        status = try reader.u64("status", 0)
        coinDecimals = try reader.u64("coin_decimals", 32)
        pcDecimals = try reader.u64("pc_decimals", 40)
        swapFeeNumerator = try reader.u64("swap_fee_numerator", 176)
        swapFeeDenominator = try reader.u64("swap_fee_denominator", 184)
        needTakePnlCoin = try reader.u64("need_take_pnl_coin", 192)
        needTakePnlPc = try reader.u64("need_take_pnl_pc", 200)
        poolOpenTime = try reader.u64("pool_open_time", 224)
        coinVault = try reader.key("coin_vault", 336)
        pcVault = try reader.key("pc_vault", 368)
        coinMint = try reader.key("coin_mint", 400)
        pcMint = try reader.key("pc_mint", 432)
        guard swapFeeDenominator > 0, swapFeeNumerator < swapFeeDenominator else {
            throw reader.failure("swap_fee_numerator", 176, "\(swapFeeNumerator)/\(swapFeeDenominator) is not a fee below 100 %")
        }
        for (field, offset, decimals) in [("coin_decimals", 32, coinDecimals), ("pc_decimals", 40, pcDecimals)] where decimals > 18 {
            throw reader.failure(field, offset, "\(decimals) decimals (a mint has at most 18 here)")
        }
    }

    /// AmmStatus values (raydium-amm `state.rs`).
    public enum Status: UInt64, Sendable {
        case uninitialized = 0, initialized, disabled, withdrawOnly, liquidityOnly, orderBookOnly, swapOnly, waitingTrade
    }
}

/// Why the AMM v4 program, or dexter's reading of it, refuses a swap.
public enum RaydiumAMMv4Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// InvalidStatus: swaps not permitted, or the pool not open yet.
    case notTrading(String)
    /// The pool's orders on OpenBook are part of its reserves, which dexter does not read.
    case orderBookEnabled
    /// InsufficientFunds / a checked operation failing: the output not below the reserve, the fees past a vault.
    case outOfRange(String)

    public var description: String {
        switch self {
        case .notTrading(let why): "AMM v4: \(why)"
        case .orderBookEnabled: "AMM v4: the pool trades on OpenBook too, so its reserves include orders dexter does not read"
        case .outOfRange(let why): "AMM v4: \(why)"
        }
    }
}

extension RaydiumAMMv4Pool {
    /// The reserves the curve uses, (coin, pc): the vaults less the profit not yet taken. A pool whose status keeps
    /// OpenBook orders (Initialized, OrderBookOnly) is refused: its reserves include them.
    public func reserves(coinVault: UInt64, pcVault: UInt64) throws(RaydiumAMMv4Error) -> (coin: UInt64, pc: UInt64) {
        if status == Status.initialized.rawValue || status == Status.orderBookOnly.rawValue { throw .orderBookEnabled }
        guard coinVault >= needTakePnlCoin, pcVault >= needTakePnlPc else {
            throw .outOfRange("the profit to take exceeds a vault's balance")
        }
        return (coinVault - needTakePnlCoin, pcVault - needTakePnlPc)
    }

    /// swap_base_in / swap_base_out as the program computes them (u128, `checked_ceil_div` with its rounding of a
    /// quotient below one), coin → pc when `coinIn`. `exactIn`: `amount` is paid, the result is what comes out;
    /// otherwise `amount` comes out and the result is what is paid (fee included). `clock`: unix seconds.
    public func quote(_ amount: UInt64, exactIn: Bool, coinIn: Bool, coinVault: UInt64, pcVault: UInt64,
                      clock: UInt64) throws(RaydiumAMMv4Error) -> UInt64 {
        guard status == Status.swapOnly.rawValue || status == Status.waitingTrade.rawValue
                || status == Status.initialized.rawValue else {
            throw .notTrading("status \(status) takes no swaps")
        }
        if status == Status.waitingTrade.rawValue, clock < poolOpenTime {
            throw .notTrading("the pool opens at \(poolOpenTime)")
        }
        let (coin, pc) = try reserves(coinVault: coinVault, pcVault: pcVault)
        let (reserveIn, reserveOut) = coinIn ? (UInt128(coin), UInt128(pc)) : (UInt128(pc), UInt128(coin))
        let numerator = UInt128(swapFeeNumerator), denominator = UInt128(swapFeeDenominator)
        if exactIn {
            let fee = Self.ceilDiv(UInt128(amount) * numerator, denominator)
            let net = UInt128(amount) - fee
            // The program divides unchecked-then-unwraps: an empty reserve with nothing in aborts it.
            guard reserveIn + net > 0 else { throw .outOfRange("an empty reserve and nothing paid in") }
            let out = reserveOut * net / (reserveIn + net)
            guard out < reserveOut else { throw .outOfRange("the output is not below the reserve") }
            return UInt64(out)
        }
        guard UInt128(amount) < reserveOut else { throw .outOfRange("the output is not below the reserve") }
        let beforeFee = Self.ceilDiv(reserveIn * UInt128(amount), reserveOut - UInt128(amount))
        let (withFee, overflow) = beforeFee.multipliedReportingOverflow(by: denominator)
        guard !overflow else { throw .outOfRange("the input overflows") }
        let paid = Self.ceilDiv(withFee, denominator - numerator)
        guard paid <= UInt128(UInt64.max) else { throw .outOfRange("the input is past u64") }
        return UInt64(paid)
    }

    /// raydium-amm's `checked_ceil_div`: the quotient rounded up — except that a quotient below one is rounded to the
    /// nearest (1 when the dividend is at least half the divisor, else 0).
    static func ceilDiv(_ dividend: UInt128, _ divisor: UInt128) -> UInt128 {
        let quotient = dividend / divisor
        if quotient == 0 { return dividend >= divisor - dividend ? 1 : 0 }
        return dividend % divisor == 0 ? quotient : quotient + 1
    }
}
