import BigInt
import DexterCrypto

/// Replacing a pending transaction: the same nonce with both fees raised by at least 12.5 % (geth's pool asks 10 %
/// by default, `--txpool.pricebump`; 12.5 % clears it and every client that asks as much as the base fee can rise in
/// a block), each rounded up and at least 1 wei more than before.
public enum Replacement {
    public static let bumpNumerator: BigUInt = 9
    public static let bumpDenominator: BigUInt = 8

    /// ⌈fee × 1.125⌉, and at least fee + 1.
    public static func bumped(_ fee: BigUInt) -> BigUInt {
        max((fee * bumpNumerator + bumpDenominator - 1) / bumpDenominator, fee + 1)
    }

    /// The fees of a replacement for `previous`: both bumped, or today's market fees where those are higher; refused
    /// above the cap like any other fee.
    public static func fees(replacing previous: SentTransaction, market: (maxFeePerGas: BigUInt, maxPriorityFeePerGas: BigUInt)? = nil,
                            cap: BigUInt) throws(FeeError) -> (maxFeePerGas: BigUInt, maxPriorityFeePerGas: BigUInt) {
        var priority = bumped(previous.maxPriorityFeePerGas)
        var maxFee = bumped(previous.maxFeePerGas)
        if let market {
            priority = max(priority, market.maxPriorityFeePerGas)
            maxFee = max(maxFee, market.maxFeePerGas)
        }
        // A tip above the fee cap is invalid (EIP-1559: maxPriorityFeePerGas ≤ maxFeePerGas).
        maxFee = max(maxFee, priority)
        guard maxFee <= cap else { throw .aboveCap(maxFeePerGas: maxFee, cap: cap) }
        return (maxFee, priority)
    }

    /// Speed-up: the same transaction (same nonce, destination, value and data) with the raised fees.
    public static func speedUp(_ original: EthereumTransaction, replacing previous: SentTransaction,
                               market: (maxFeePerGas: BigUInt, maxPriorityFeePerGas: BigUInt)? = nil,
                               cap: BigUInt) throws(FeeError) -> EthereumTransaction {
        var transaction = original
        (transaction.maxFeePerGas, transaction.maxPriorityFeePerGas) = try fees(replacing: previous, market: market, cap: cap)
        return transaction
    }

    /// Cancel: a 0-value transfer to oneself at the same nonce with the raised fees, 21,000 gas, no data. Whichever of
    /// the two is mined, the nonce is spent; if it is the cancel, the swap never happens.
    public static func cancel(wallet: EthereumAddress, chainId: BigUInt, nonce: BigUInt, replacing previous: SentTransaction?,
                              market: (maxFeePerGas: BigUInt, maxPriorityFeePerGas: BigUInt), cap: BigUInt)
        throws(FeeError) -> EthereumTransaction {
        let fees: (maxFeePerGas: BigUInt, maxPriorityFeePerGas: BigUInt)
        if let previous {
            fees = try Self.fees(replacing: previous, market: market, cap: cap)
        } else {
            // A gap fill replaces nothing: market fees.
            guard market.maxFeePerGas <= cap else { throw .aboveCap(maxFeePerGas: market.maxFeePerGas, cap: cap) }
            fees = market
        }
        return EthereumTransaction(kind: .eip1559, chainId: chainId, nonce: nonce,
                                   maxPriorityFeePerGas: fees.maxPriorityFeePerGas, maxFeePerGas: fees.maxFeePerGas,
                                   gasLimit: 21_000, to: wallet, value: 0, data: [])
    }
}
