import DexterCore
import DexterMarket

/// One product's local book, kept by the documented rules of Advanced Trade's `level2` channel
/// (docs/venues/coinbase.md): a snapshot of the whole book on subscribe, then the levels that changed, each with its
/// new size (zero removes it). There is no checksum and no per-product sequence: the connection's `sequence_num`,
/// checked by the feed, is what proves no message was lost, and a gap there resubscribes every book. What a book
/// can still check by itself is that it never crosses: a best bid at or above the best ask after a whole message
/// means a change was lost, and the book is rebuilt. Pure: the caller resubscribes when told to.
public struct CoinbaseBookSync: StreamedBook {
    public enum State: Sendable, Hashable {
        /// Subscribed (again); the snapshot has not come yet.
        case awaitingSnapshot
        /// The book follows the channel: its quotes may be traded on.
        case live
        /// The book broke: stale until a fresh snapshot arrives.
        case resyncing(reason: String)
    }

    /// "BTC-USD".
    public let productId: String
    public private(set) var state: State = .awaitingSnapshot
    private var bids = LevelLadder<PriceLevel>(bestIsHighest: true)
    private var asks = LevelLadder<PriceLevel>(bestIsHighest: false)

    public init(productId: String) {
        self.productId = productId
    }

    public var isLive: Bool { state == .live }

    /// The best `depth` levels of each side, exact (empty unless live).
    public func orderBook(depth: Int = .max) -> OrderBook {
        guard isLive else { return OrderBook(bids: [], asks: []) }
        return OrderBook(presortedBids: bids.top(depth), asks: asks.top(depth))
    }

    public mutating func apply(_ message: CoinbaseBookMessage) -> BookSyncOutcome {
        switch message.kind {
        case .snapshot:
            bids.replace(message.bids)
            asks.replace(message.asks)
            state = .live
        case .update:
            guard state == .live else { return .ignored }
            for level in message.bids { bids.set(level) }
            for level in message.asks { asks.set(level) }
        }
        if let bid = bids.bestLevel, let ask = asks.bestLevel, bid.price >= ask.price {
            return startOver("\(productId): the book crossed (bid \(bid.price) ≥ ask \(ask.price)): a change was lost")
        }
        return .applied
    }

    /// Drops the book (a gap in the connection's sequence, an unsubscribe): nothing is served until the next snapshot.
    public mutating func reset(reason: String) { _ = startOver(reason) }

    private mutating func startOver(_ reason: String) -> BookSyncOutcome {
        state = .resyncing(reason: reason)
        bids = LevelLadder(bestIsHighest: true)
        asks = LevelLadder(bestIsHighest: false)
        return .needsSnapshot(reason: reason)
    }
}
