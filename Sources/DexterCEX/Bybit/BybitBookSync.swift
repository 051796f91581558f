import DexterCore
import DexterMarket

/// One symbol's local book, kept by Bybit's rule for `orderbook.{depth}.{symbol}` (docs/venues/bybit.md, "The book
/// rule"): a snapshot replaces the book whenever it comes (after subscribing, after a problem on Bybit's side, and
/// with `u = 1` after a service restart); a delta must carry the last `u` + 1. A delta with `u` at or below the last
/// is a duplicate or stale and is dropped; a jump means a lost delta: the book is dropped and the topic subscribed
/// again for that symbol alone. Sizes are absolute (0 deletes the level). Pure: the caller resubscribes when told to.
public struct BybitBookSync: StreamedBook {
    public enum State: Sendable, Hashable {
        /// Subscribed (again); the snapshot has not come yet.
        case awaitingSnapshot
        /// The book follows the topic: its quotes may be traded on.
        case live
        /// The book broke: stale until a fresh snapshot arrives.
        case resyncing(reason: String)
    }

    public let symbol: String
    public private(set) var state: State = .awaitingSnapshot
    /// The `u` of the last message applied.
    public private(set) var lastUpdateId: UInt64?
    /// Deltas dropped as duplicates or stale.
    public private(set) var dropped = 0
    private var bids = LevelLadder<PriceLevel>(bestIsHighest: true)
    private var asks = LevelLadder<PriceLevel>(bestIsHighest: false)

    public init(symbol: String) { self.symbol = symbol }

    public var isLive: Bool { state == .live }

    /// The best `depth` levels of each side, exact (empty unless live).
    public func orderBook(depth: Int = .max) -> OrderBook {
        guard isLive else { return OrderBook(bids: [], asks: []) }
        return OrderBook(presortedBids: bids.top(depth), asks: asks.top(depth))
    }

    public mutating func apply(_ message: BybitBookMessage) -> BookSyncOutcome {
        guard message.symbol == symbol else { return .ignored }
        switch message.kind {
        case .snapshot:
            bids.replace(message.bids)
            asks.replace(message.asks)
            lastUpdateId = message.updateId
            state = .live
            return .applied
        case .delta:
            guard state == .live, let last = lastUpdateId else { return .ignored }
            if message.updateId == 1, last > 1 {
                return startOver("\(symbol): a delta with u = 1 after u \(last) (the service restarted without a snapshot)")
            }
            guard message.updateId > last else {
                dropped += 1
                return .ignored
            }
            guard message.updateId == last + 1 else {
                return startOver("\(symbol): delta u \(message.updateId) does not follow the book's u \(last) (a lost update)")
            }
            for level in message.bids { bids.set(level) }
            for level in message.asks { asks.set(level) }
            lastUpdateId = message.updateId
            return .applied
        }
    }

    /// Drops the book (a reconnect, an unsubscribe): nothing is served until the next snapshot.
    public mutating func reset(reason: String) { _ = startOver(reason) }

    private mutating func startOver(_ reason: String) -> BookSyncOutcome {
        state = .resyncing(reason: reason)
        bids = LevelLadder<PriceLevel>(bestIsHighest: true)
        asks = LevelLadder<PriceLevel>(bestIsHighest: false)
        lastUpdateId = nil
        return .needsSnapshot(reason: reason)
    }
}
