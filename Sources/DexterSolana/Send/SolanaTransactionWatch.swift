/// How a sent transaction ended. Never a guess: landed and failed are the node's statuses; expired is stated only
/// once the chain's block height has passed the blockhash's `lastValidBlockHeight` and a last status check (with
/// history) still does not know the signature, so it can never land.
public enum SolanaLanding: Sendable, Hashable {
    case landed(slot: UInt64)
    /// Landed with the runtime's error (the fee is paid), with the programs' logs of the landed transaction.
    case failed(slot: UInt64, error: SolanaTransactionError, logs: [String])
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

    /// The transaction's end once its status reached `commitment` (a failure too: a block on a dropped fork is no
    /// end): landed, or failed with the logs read back from the landed transaction.
    private func ending(of signature: String, commitment: SolanaCommitment, history: Bool) async throws -> SolanaLanding? {
        guard let status = try await signatureStatuses([signature], searchTransactionHistory: history).statuses.first ?? nil,
              let reached = status.commitment, reached >= commitment else { return nil }
        guard let error = status.error else { return .landed(slot: status.slot) }
        // getTransaction knows confirmed and finalized transactions only.
        let record = try await transaction(signature, max(commitment, .confirmed))
        return .failed(slot: status.slot, error: error, logs: record?.logs ?? [])
    }
}
