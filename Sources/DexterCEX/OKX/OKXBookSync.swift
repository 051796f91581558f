import CZlib
import DexterCore
import DexterMarket

/// One instrument's local book, kept by OKX's documented rules for the `books` channel (docs/venues/okx.md): a
/// snapshot on subscribe, then updates whose `prevSeqId` is the last `seqId` (an update with no levels and
/// `seqId == prevSeqId` is a heartbeat; after maintenance `seqId` may restart lower, which is fine as long as
/// `prevSeqId` matches); after each message the CRC-32 of the top 25 levels, over the wire's own strings, must equal
/// its `checksum`. A broken sequence or a checksum that differs makes the book untrustworthy: it is dropped and the
/// channel subscribed again for that instrument alone. Pure: the caller resubscribes when told to.
public struct OKXBookSync: StreamedBook {
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
    public static let checksumDepth = 25

    public let instrument: String
    public private(set) var state: State = .awaitingSnapshot
    public private(set) var lastSeqId: Int64?
    private var bids = LevelLadder<OKXLevel>(bestIsHighest: true)
    private var asks = LevelLadder<OKXLevel>(bestIsHighest: false)

    public init(instrument: String) { self.instrument = instrument }

    public var isLive: Bool { state == .live }

    /// The best `depth` levels of each side, exact (empty unless live).
    public func orderBook(depth: Int = .max) -> OrderBook {
        guard isLive else { return OrderBook(bids: [], asks: []) }
        return OrderBook(presortedBids: bids.top(depth), asks: asks.top(depth))
    }

    public mutating func apply(_ message: OKXBookMessage) -> Outcome {
        switch message.action {
        case .snapshot:
            bids.replace(message.bids)
            asks.replace(message.asks)
            lastSeqId = message.seqId
            state = .live
        case .update:
            guard state == .live else { return .ignored }
            if let previous = message.prevSeqId, let last = lastSeqId, previous != last {
                return startOver("\(instrument): update prevSeqId \(previous) does not follow the book's seqId \(last)")
            }
            lastSeqId = message.seqId ?? lastSeqId
            if message.bids.isEmpty, message.asks.isEmpty, message.seqId != nil, message.seqId == message.prevSeqId {
                return .ignored
            }
            for level in message.bids { bids.set(level) }
            for level in message.asks { asks.set(level) }
        }
        if let expected = message.checksum {
            let found = checksum()
            guard found == expected else {
                return startOver("\(instrument): checksum \(found) of the book's top 25 is not OKX's \(expected)")
            }
        }
        return .applied
    }

    /// Drops the book (a reconnect, an unsubscribe): nothing is served until the next snapshot.
    public mutating func reset(reason: String) { _ = startOver(reason) }

    private mutating func startOver(_ reason: String) -> Outcome {
        state = .resyncing(reason: reason)
        bids = LevelLadder<OKXLevel>(bestIsHighest: true)
        asks = LevelLadder<OKXLevel>(bestIsHighest: false)
        lastSeqId = nil
        return .needsSnapshot(reason: reason)
    }

    /// OKX's checksum of the book now: `bid1:size1:ask1:size1:bid2:…` over the top 25 of each side (a shorter side
    /// just ends), CRC-32, as a signed 32-bit integer.
    public func checksum() -> Int32 {
        Self.checksum(bids: bids.best(Self.checksumDepth), asks: asks.best(Self.checksumDepth))
    }

    public static func checksum(bids: [OKXLevel], asks: [OKXLevel]) -> Int32 {
        var text: [UInt8] = []
        text.reserveCapacity(64 * checksumDepth)
        for index in 0..<checksumDepth {
            for side in [bids, asks] where index < side.count {
                if !text.isEmpty { text.append(UInt8(ascii: ":")) }
                text.append(contentsOf: side[index].priceText.utf8)
                text.append(UInt8(ascii: ":"))
                text.append(contentsOf: side[index].sizeText.utf8)
            }
        }
        let crc = text.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        return Int32(bitPattern: UInt32(truncatingIfNeeded: crc))
    }
}

extension OKXLevel: LadderLevel {
    public var amount: FixedDecimal { size }
}
