/// How a sent transaction ended. Never a guess: landed and failed are the node's statuses; expired is stated only
/// once the chain's block height has passed the blockhash's `lastValidBlockHeight` and a last status check (with
/// history) still does not know the signature, so it can never land.
public enum SolanaLanding: Sendable, Hashable {
    case landed(slot: UInt64)
    /// Landed with the runtime's error (the fee is paid).
    case failed(slot: UInt64, error: SolanaTransactionError)
    case expired(lastValidBlockHeight: UInt64, blockHeight: UInt64)
}

extension SolanaRPCClient {
    /// Sends `transaction` and follows it to its end at `commitment`. While it is unknown and its blockhash still
    /// valid, the same bytes are sent again after each `pause` (one signature: it cannot land twice); it is never
    /// re-signed here, so no second blockhash is ever live for it. A refused preflight throws
    /// `SolanaSendError.simulationFailed` with the logs.
    public func sendAndConfirm(_ transaction: SolanaSignedTransaction, lastValidBlockHeight: UInt64,
                               commitment: SolanaCommitment = .confirmed,
                               pause: @Sendable () async throws -> Void) async throws -> SolanaLanding {
        do {
            _ = try await send(transaction.wire, preflight: .processed)
        } catch {
            // Already processed: this very signature is in a block (sent before), so follow it; no answer: the node
            // may have it, so follow it too. Any other refusal ends here.
            if case .rpc(_, _, let code, let message, let simulation) = error {
                let already = simulation?.error == .named("AlreadyProcessed") || message.contains("already been processed")
                if !already {
                    if code == -32002, let simulation {
                        throw SolanaSendError.simulationFailed(simulation.error, logs: simulation.logs)
                    }
                    throw error
                }
            } else if case .malformed = error {
                throw error
            }
        }
        while true {
            if let ending = try await ending(of: transaction.signature, commitment: commitment, history: false) {
                return ending
            }
            let height = try await blockHeight(.processed)
            if height > lastValidBlockHeight {
                if let ending = try await ending(of: transaction.signature, commitment: commitment, history: true) {
                    return ending
                }
                return .expired(lastValidBlockHeight: lastValidBlockHeight, blockHeight: height)
            }
            try await pause()
            _ = try? await send(transaction.wire, preflight: nil, skipPreflight: true)
        }
    }

    /// The transaction's end if its status says so: failed as soon as it landed with an error, landed once it
    /// reached `commitment`.
    private func ending(of signature: String, commitment: SolanaCommitment, history: Bool) async throws -> SolanaLanding? {
        guard let status = try await signatureStatuses([signature], searchTransactionHistory: history).statuses.first ?? nil
        else { return nil }
        if let error = status.error { return .failed(slot: status.slot, error: error) }
        if let reached = status.commitment, reached >= commitment { return .landed(slot: status.slot) }
        return nil
    }
}
