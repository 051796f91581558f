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
                postTokenBalances: try SolanaSimulation.balances(meta.postTokenBalances, field: "result.meta.postTokenBalances"))
        } catch {
            throw .malformed(endpoint: healthyEndpoint.redacted, method: "getTransaction", field: error.field,
                             reason: error.reason)
        }
    }
}
