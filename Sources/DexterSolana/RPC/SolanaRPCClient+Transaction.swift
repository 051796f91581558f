import DexterCrypto
import Foundation

/// A landed transaction as `getTransaction` tells it: its error, fee, logs and token balances before and after.
public struct SolanaTransactionRecord: Sendable, Hashable {
    public let slot: UInt64
    public let error: SolanaTransactionError?
    public let fee: UInt64
    public let logs: [String]
    public let preTokenBalances: [SolanaTokenBalance]
    public let postTokenBalances: [SolanaTokenBalance]
    /// Lamports of the message's accounts before and after, in message order: the fee payer first.
    public var preBalances: [UInt64] = []
    public var postBalances: [UInt64] = []

    public init(slot: UInt64, error: SolanaTransactionError?, fee: UInt64, logs: [String],
                preTokenBalances: [SolanaTokenBalance], postTokenBalances: [SolanaTokenBalance],
                preBalances: [UInt64] = [], postBalances: [UInt64] = []) {
        self.slot = slot
        self.error = error
        self.fee = fee
        self.logs = logs
        self.preTokenBalances = preTokenBalances
        self.postTokenBalances = postTokenBalances
        self.preBalances = preBalances
        self.postBalances = postBalances
    }

    /// Lamports the fee payer lost in the transaction: the fee, and the rent of any account it opened (less any it
    /// got back from an account closed to it). Negative when it gained.
    public var payerLamportsSpent: Int128 {
        guard let before = preBalances.first, let after = postBalances.first else { return Int128(fee) }
        return Int128(before) - Int128(after)
    }

    /// How much `owner`'s balance of `mint` changed in the transaction (post − pre, over every account of theirs),
    /// in base units.
    public func tokenChange(owner: SolanaPublicKey, mint: SolanaPublicKey) -> (gained: UInt64, spent: UInt64) {
        func total(_ balances: [SolanaTokenBalance]) -> UInt128 {
            balances.filter { $0.owner == owner && $0.mint == mint }.reduce(0) { $0 + UInt128($1.amount.amount) }
        }
        let before = total(preTokenBalances), after = total(postTokenBalances)
        return after >= before ? (UInt64(after - before), 0) : (0, UInt64(before - after))
    }
}

extension SolanaWire {
    struct Transaction: Decodable {
        struct Meta: Decodable {
            let err: SolanaJSON?
            let fee: U64
            let logMessages: [String]?
            let preTokenBalances: [TokenBalance]?
            let postTokenBalances: [TokenBalance]?
            let preBalances: [U64]?
            let postBalances: [U64]?
        }
        let slot: U64
        let meta: Meta?
    }
}

extension SolanaRPCClient {
    /// The landed transaction at `commitment` (confirmed or finalized: the RPC has no processed transactions), or nil
    /// when the node does not have it.
    public func transaction(_ signature: String, _ commitment: SolanaCommitment) async throws(SolanaRPCError)
        -> SolanaTransactionRecord? {
        let answer = try await call("getTransaction",
                                    [.string(signature), ["commitment": .string(commitment.rawValue), "encoding": "json",
                                                          "maxSupportedTransactionVersion": 0]],
                                    as: SolanaJSON.self)
        if answer == .null { return nil }
        let wire: SolanaWire.Transaction
        do {
            let data = try JSONEncoder().encode(answer)
            wire = try JSONDecoder().decode(SolanaWire.Transaction.self, from: data)
        } catch {
            throw SolanaRPCAnswer.malformed(error, method: "getTransaction", endpoint: healthyEndpoint.redacted,
                                            prefix: "result")
        }
        guard let meta = wire.meta else {
            throw .malformed(endpoint: healthyEndpoint.redacted, method: "getTransaction", field: "result.meta",
                             reason: "missing")
        }
        do {
            return SolanaTransactionRecord(
                slot: wire.slot.value, error: meta.err.flatMap { $0 == .null ? nil : SolanaTransactionError($0) },
                fee: meta.fee.value, logs: meta.logMessages ?? [],
                preTokenBalances: try SolanaSimulation.balances(meta.preTokenBalances, field: "result.meta.preTokenBalances"),
                postTokenBalances: try SolanaSimulation.balances(meta.postTokenBalances, field: "result.meta.postTokenBalances"),
                preBalances: (meta.preBalances ?? []).map(\.value), postBalances: (meta.postBalances ?? []).map(\.value))
        } catch {
            throw .malformed(endpoint: healthyEndpoint.redacted, method: "getTransaction", field: error.field,
                             reason: error.reason)
        }
    }
}
