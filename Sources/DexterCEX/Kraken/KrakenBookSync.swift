import CZlib
import DexterCore
import DexterMarket

/// One pair's local book, kept by Kraken's documented rules for the v2 `book` channel (docs/venues/kraken.md): a
/// snapshot to the subscribed depth on subscribe, then updates of the levels that changed (quantity zero removes
/// one); after every message the book is cut back to the subscribed depth (Kraken says nothing of levels pushed out
/// of it), and the CRC-32 of its top 10 levels must equal the message's `checksum`. There is no sequence number: the
/// checksum is what proves no update was lost. A checksum that differs makes the book untrustworthy: it is dropped
/// and the pair subscribed again. Pure: the caller resubscribes when told to.
public struct KrakenBookSync: StreamedBook {
    public enum State: Sendable, Hashable {
        /// Subscribed (again); the snapshot has not come yet.
        case awaitingSnapshot
        /// The book follows the channel: its quotes may be traded on.
        case live
        /// The book broke: stale until a fresh snapshot arrives.
        case resyncing(reason: String)
    }

    public typealias Outcome = BookSyncOutcome

    /// Levels of each side the checksum covers.
    public static let checksumDepth = 10

    /// WebSocket v2's name of the pair: "BTC/USD".
    public let symbol: String
    /// The depth subscribed: 10, 25, 100, 500 or 1000.
    public let depth: Int
    /// The pair's price and quantity decimals (`pair_decimals`, `lot_decimals`): the checksum writes each value with
    /// exactly these.
    public let priceDecimals: Int
    public let quantityDecimals: Int
    public private(set) var state: State = .awaitingSnapshot
    private var bids = LevelLadder<PriceLevel>(bestIsHighest: true)
    private var asks = LevelLadder<PriceLevel>(bestIsHighest: false)

    public init(symbol: String, depth: Int, priceDecimals: Int, quantityDecimals: Int) {
        precondition(depth >= Self.checksumDepth, "Kraken's checksum covers 10 levels: a book must keep at least that many")
        self.symbol = symbol
        self.depth = depth
        self.priceDecimals = priceDecimals
        self.quantityDecimals = quantityDecimals
    }

    public var isLive: Bool { state == .live }

    /// The best `depth` levels of each side, exact (empty unless live).
    public func orderBook(depth: Int = .max) -> OrderBook {
        guard isLive else { return OrderBook(bids: [], asks: []) }
        return OrderBook(presortedBids: bids.top(depth), asks: asks.top(depth))
    }

    public mutating func apply(_ message: KrakenBookMessage) -> Outcome {
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
        bids.truncate(to: depth)
        asks.truncate(to: depth)
        if let expected = message.checksum {
            let found = checksum()
            guard found == expected else {
                return startOver("\(symbol): checksum \(found) of the book's top 10 is not Kraken's \(expected)")
            }
        }
        return .applied
    }

    /// Drops the book (a reconnect, an unsubscribe): nothing is served until the next snapshot.
    public mutating func reset(reason: String) { _ = startOver(reason) }

    private mutating func startOver(_ reason: String) -> Outcome {
        state = .resyncing(reason: reason)
        bids = LevelLadder(bestIsHighest: true)
        asks = LevelLadder(bestIsHighest: false)
        return .needsSnapshot(reason: reason)
    }

    /// Kraken's checksum of the book now.
    public func checksum() -> UInt32 {
        Self.checksum(asks: asks.best(Self.checksumDepth), bids: bids.best(Self.checksumDepth),
                      priceDecimals: priceDecimals, quantityDecimals: quantityDecimals)
    }

    /// The top 10 asks (lowest first) then the top 10 bids (highest first), each level its price and its quantity
    /// written with the pair's decimals, the point removed and leading zeros dropped ("0.12307" → "12307"), all
    /// concatenated; CRC-32, unsigned.
    public static func checksum(asks: [PriceLevel], bids: [PriceLevel], priceDecimals: Int, quantityDecimals: Int) -> UInt32 {
        let text = checksumText(asks: asks, bids: bids, priceDecimals: priceDecimals, quantityDecimals: quantityDecimals)
        let crc = text.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        return UInt32(truncatingIfNeeded: crc)
    }

    public static func checksumText(asks: [PriceLevel], bids: [PriceLevel], priceDecimals: Int,
                                    quantityDecimals: Int) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(40 * checksumDepth)
        for side in [asks, bids] {
            for level in side.prefix(checksumDepth) {
                // The value in units of its last decimal is exactly the digits without the point and leading zeros.
                text.append(contentsOf: String(level.price.units(decimals: priceDecimals)).utf8)
                text.append(contentsOf: String(level.quantity.units(decimals: quantityDecimals)).utf8)
            }
        }
        return text
    }
}
