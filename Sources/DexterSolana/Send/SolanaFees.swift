import DexterCore
import DexterMarket
import DexterCrypto

/// The two knobs of a transaction's cost: the compute-unit limit (from a simulation, with a margin) and the price per
/// unit (a percentile of what recently landed, capped by the trader's config).
public enum SolanaFees {
    /// The base fee of one signature, in lamports.
    public static let signatureLamports: UInt64 = 5_000

    /// How the desk prices Solana's gas: one lamport per gas unit, so a market's gas units are a swap's fee in
    /// lamports (its signature, and the priority fee where the feed knows it). `GasQuote.price` is in billionths of the
    /// gas token per unit: lamports of SOL.
    public static func gasQuote(chain: ChainId, token: Asset, at time: Timestamp) -> GasQuote {
        GasQuote(chain: chain, token: token, price: .one, updatedAt: time)
    }

    /// The units a simulation consumed plus `marginPercent`, rounded up, within the runtime's 1,400,000 maximum.
    public static func computeUnitLimit(simulated units: UInt64, marginPercent: UInt64) -> UInt32 {
        let padded = (UInt128(units) * UInt128(100 + marginPercent) + 99) / 100
        return UInt32(min(padded, 1_400_000))
    }

    /// The `percentile` (0–100, nearest rank) of recent per-slot prices, at most `cap` µlamports per unit.
    public static func priorityPrice(_ recent: [UInt64], percentile: Int, cap: UInt64) -> UInt64 {
        guard !recent.isEmpty else { return 0 }
        let sorted = recent.sorted()
        let rank = max(1, (min(max(percentile, 0), 100) * sorted.count + 99) / 100)
        return min(sorted[rank - 1], cap)
    }
}

extension SolanaRPCClient {
    /// The price to pay now for transactions writing `accounts`: `SolanaFees.priorityPrice` over the node's
    /// `getRecentPrioritizationFees`.
    public func priorityPrice(writing accounts: [SolanaPublicKey], percentile: Int, cap: UInt64)
        async throws(SolanaRPCError) -> UInt64 {
        SolanaFees.priorityPrice(try await recentPrioritizationFees(accounts).map(\.microLamportsPerUnit),
                                 percentile: percentile, cap: cap)
    }
}
