import DexterCore
import DexterVenues
import Foundation

/// What the Solana venue knows of each order, on disk before it acts: the order's mints and decimals when it starts,
/// each signed transaction (signature, the last block height its blockhash is valid for, the bytes) before it is
/// sent, the outcome once known. A restarted desk asks by client id; the journal names the transactions to look for —
/// one that landed while dexter was down is found and booked, and a new one is signed only once every earlier one is
/// past its blockhash's last valid height, so two can never both land.
public final class SolanaOrderJournal: Sendable {
    /// One signed transaction of an order.
    public struct Attempt: Codable, Sendable, Hashable {
        public var signature: String
        public var lastValidBlockHeight: UInt64
        /// The signed transaction, base64: what is sent again, byte for byte, while it may still land.
        public var wire: String
    }

    /// One order's newest state.
    public struct Entry: Codable, Sendable, Hashable {
        public enum Stage: String, Codable, Sendable {
            /// Taken; nothing signed yet.
            case planned
            /// At least one transaction signed: a node may have it from now on.
            case signed
            /// Its outcome is known (`report`).
            case done
        }

        public var clientOrderId: String
        public var venue: String
        public var symbol: String
        public var side: Side
        public var stage: Stage
        public var baseMint: String
        public var quoteMint: String
        public var baseDecimals: Int
        public var quoteDecimals: Int
        /// Oldest first; only the newest may still be live.
        public var attempts: [Attempt] = []
        public var report: ExecutionReport?
    }

    public var path: String { store.path }
    private let store: OrderJournalStore<Entry>

    /// Opens (or creates, 0600) the journal and reads what it holds. A torn last line (a crash mid-write) is ignored.
    public init(path: String) throws {
        // Attempts are only ever added.
        store = try OrderJournalStore(path: path) { known, new in
            var merged = new
            merged.attempts = known.attempts + new.attempts.filter { !known.attempts.contains($0) }
            return merged
        }
    }

    /// Writes the order's newest state, synced to disk before it returns.
    public func record(_ entry: Entry) { store.record(entry) }

    public func entry(_ clientOrderId: String) -> Entry? { store.entry(clientOrderId) }

    /// Orders of `venue` whose outcome is not known yet.
    public func unsettled(on venue: String) -> [Entry] { store.unsettled(on: venue) }
}

extension SolanaOrderJournal.Entry: JournaledOrder {
    public var isSettled: Bool { stage == .done }
}
