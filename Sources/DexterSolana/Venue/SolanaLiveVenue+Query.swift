import DexterCore
import DexterCrypto
import DexterVenues
import Foundation

extension SolanaLiveVenue {
    /// What became of an order, asked of the chain through the journal: never signed is unknown (no node has it);
    /// signed, its transactions decide — one landed at `confirmed`: filled from its token balances, or failed with
    /// its fee; none landed and the chain past the newest one's last valid block height: expired (nothing of it can
    /// land any more); otherwise working, and the newest bytes are handed to the node again (one signature: it lands
    /// once at most).
    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        guard let entry = journal.entry(clientOrderId) else { return .unknown }
        if let report = entry.report { return .found(report) }
        guard let newest = entry.attempts.last, let symbol = try? Symbol(parsing: entry.symbol) else { return .unknown }
        let base = try SolanaPublicKey(base58: entry.baseMint), quote = try SolanaPublicKey(base58: entry.quoteMint)
        let terms = SwapTerms(exactIn: entry.side == .sell, input: entry.side == .sell ? base : quote,
                              output: entry.side == .sell ? quote : base, amount: 0, bound: 0)
        func settled(_ report: ExecutionReport) -> OrderQueryAnswer {
            var done = entry
            done.stage = .done
            done.report = report
            journal.record(done)
            return .found(report)
        }
        // The height first: a transaction not landed once the chain is past its last valid height never will.
        let height = try await rpc.blockHeight(.confirmed)
        let statuses = try await rpc.signatureStatuses(entry.attempts.map(\.signature), searchTransactionHistory: true).statuses
        for (attempt, status) in zip(entry.attempts, statuses) {
            guard let status, let reached = status.commitment, reached >= .confirmed,
                  let record = try await rpc.transaction(attempt.signature, .confirmed) else { continue }
            let message = Base64Bytes.decode(attempt.wire).flatMap { $0.count > 65 ? try? SolanaMessageReader(Array($0[65...])) : nil }
            return settled(report(clientOrderId, venue: venue, symbol: symbol, side: entry.side, terms: terms, entry: entry,
                                  record: record, message: message))
        }
        if height > newest.lastValidBlockHeight {
            return settled(ExecutionReport(
                clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: entry.side, status: .expired,
                reason: "expired: its blockhash was valid to block height \(newest.lastValidBlockHeight), the chain is at \(height)",
                filledQuantity: .zero, notional: .zero, fee: .zero, gas: .zero, gasToken: nil, executedAt: clock.now()))
        }
        if let wire = Base64Bytes.decode(newest.wire) { _ = try? await rpc.send(wire, preflight: nil, skipPreflight: true) }
        return .found(ExecutionReport(clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: entry.side, status: .working,
                                      reason: nil, filledQuantity: .zero, notional: .zero, fee: .zero, gas: .zero, gasToken: nil,
                                      executedAt: clock.now()))
    }
}

enum Base64Bytes {
    static func decode(_ text: String) -> [UInt8]? { Data(base64Encoded: text).map { [UInt8]($0) } }
}
