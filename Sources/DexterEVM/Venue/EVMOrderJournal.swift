import DexterCore
import DexterVenues
import Foundation

/// What a chain venue knows of each order it was given, on disk before it acts: the swap's plan when it starts, the
/// signed transaction (hash, nonce and raw bytes) before a byte leaves for a node, the outcome once it is known.
/// After a crash the desk asks the venue about an order by its client id; the journal is how the venue finds the
/// transaction that order became — a swap that landed while dexter was down is found and booked, never sent twice.
public final class EVMOrderJournal: Sendable {
    /// One order's newest state.
    public struct Entry: Codable, Sendable, Hashable {
        public enum Stage: String, Codable, Sendable {
            /// Taken; nothing signed yet.
            case planned
            /// Signed: a node may have it from now on.
            case signed
            /// A node took it.
            case sent
            /// Its outcome is known (`report`).
            case done
        }

        public var clientOrderId: String
        public var venue: String
        public var symbol: String
        public var side: Side
        public var stage: Stage
        /// The pool whose Swap log tells the fill, and the decimals its amounts are counted in. For a swap through an
        /// aggregator, its router: the fill is then the Transfer logs of `tokenIn` and `tokenOut`.
        public var pool: String
        /// The aggregator whose transaction the swap is ("1inch", "0x"); nil for a swap through the venue's own pool.
        public var aggregator: String?
        public var tokenIn: String?
        public var tokenOut: String?
        /// A Balancer swap's pool id (0x-hex): `pool` is then the Vault, whose Swap log names the pool by it.
        public var poolId: String?
        public var baseDecimals: Int
        public var quoteDecimals: Int
        public var hash: String?
        public var nonce: String?
        /// The signed transaction, 0x-hex: what is re-broadcast, byte for byte, if a node lost it. Public once sent.
        public var raw: String?
        public var route: String?
        /// Transactions sent at the swap's nonce to replace it (speed-ups and cancels), 0x-hex, each written down
        /// before it was sent.
        public var replacements: [String]?
        /// Which of `replacements` are cancels (0-value transfers): one of them mined ends the order canceled.
        public var cancels: [String]?
        /// Transactions the swap needed first (an approval, a wrap), 0x-hex, each written down before it was sent:
        /// their gas is this order's, even when the swap itself never went.
        public var sideTransactions: [String]?
        /// Gas already burnt for this order by those, in the gas token, once known.
        public var gasBefore: FixedDecimal?
        public var report: ExecutionReport?
    }

    public var path: String { store.path }
    private let store: OrderJournalStore<Entry>

    /// Opens (or creates, 0600) the journal and reads what it holds. A torn last line (a crash mid-write) is ignored.
    public init(path: String) throws {
        // Replacements are only ever added: a writer holding an older copy of the entry (the swap's own run, while the
        // trader speeds it up) never drops one another wrote.
        store = try OrderJournalStore(path: path) { known, new in
            var merged = new
            merged.replacements = EVMOrderJournal.union(known.replacements, new.replacements)
            merged.cancels = EVMOrderJournal.union(known.cancels, new.cancels)
            return merged
        }
    }

    /// Writes the order's newest state, synced to disk before it returns.
    public func record(_ entry: Entry) { store.record(entry) }

    static func union(_ first: [String]?, _ second: [String]?) -> [String]? {
        guard let first else { return second }
        return first + (second ?? []).filter { !first.contains($0) }
    }

    public func entry(_ clientOrderId: String) -> Entry? { store.entry(clientOrderId) }

    /// Orders of `venue` whose outcome is not known yet.
    public func unsettled(on venue: String) -> [Entry] { store.unsettled(on: venue) }
}

extension EVMOrderJournal.Entry: JournaledOrder {
    public var isSettled: Bool { stage == .done }
}
