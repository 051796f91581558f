import DexterCore
import DexterMarket
import DexterVenues

/// One symbol's local book, kept by Binance's documented rule ("How to manage a local order book correctly"): buffer
/// the diffs until the REST snapshot arrives, drop those already in it, then check each applied diff's continuity by
/// the market's `Continuity` (spot and USDⓈ-M futures differ). Anything else is a gap: the book is dropped and
/// rebuilt from a fresh snapshot. Pure: the caller fetches snapshots when told to, and keeps one of these per symbol,
/// so a gap on one never touches another.
///
/// `<symbol>@bookTicker` counts in the same update ids and arrives sooner than the 100 ms diffs that cover it: the
/// newest ticker past the book's id is laid over the book's top when it is read (levels at or better than its best
/// are gone), until a diff at or past its id arrives. The diff-built book itself is never written by a ticker, so
/// the sync rule above stays exact.
public struct BinanceBookSync: Sendable {
    public enum State: Sendable, Hashable {
        /// Diffs are buffered until a snapshot arrives (at start, or after a snapshot too old to join them).
        case awaitingSnapshot
        /// The book follows the stream: its quotes may be traded on.
        case live
        /// A gap was seen: the book is stale until a fresh snapshot arrives.
        case resyncing(reason: String)
    }

    /// What one message did.
    public enum Outcome: Sendable, Hashable {
        /// Kept until the snapshot arrives.
        case buffered
        /// The book moved (or, for a snapshot, the book was rebuilt with the buffered diffs after it).
        case applied
        /// At or before the book's update id: already in it.
        case ignored
        /// The book cannot be trusted: fetch a fresh REST snapshot (`GET /api/v3/depth`) and pass it in.
        case needsSnapshot(reason: String)
    }

    /// How one diff must follow the book, by market (each as its own documentation states it).
    public enum Continuity: Sendable, Hashable {
        /// Spot (web-socket-streams.md): drop u ≤ lastUpdateId; the first applied diff straddles the next id
        /// (U ≤ lastUpdateId + 1 ≤ u); every next one starts where the last ended (U = previous u + 1).
        case spot
        /// USDⓈ-M futures (usds-margined-futures, "How to manage a local order book correctly"): ids are not
        /// contiguous, so drop u < lastUpdateId; the first applied diff straddles the snapshot (U ≤ lastUpdateId ≤ u);
        /// every next one names the last one's u as its `pu`.
        case futures
    }

    public let symbol: String
    public let continuity: Continuity
    public private(set) var state: State = .awaitingSnapshot
    /// The update id the book is at (the snapshot's, then each applied diff's `u`).
    public private(set) var lastUpdateId: UInt64 = 0
    /// Diffs held while there is no book; bounded, so a snapshot that never comes cannot grow it without end (the
    /// oldest go, and the next snapshot then finds the gap and asks again).
    public private(set) var buffered: [BinanceDepthUpdate] = []
    public static let bufferLimit = 10_000
    /// True until a diff has been applied on top of the snapshot: the first must straddle it.
    private var awaitingFirstDiff = true
    private var book = DepthBook()
    /// The newest bookTicker, laid over the book while its id is past the book's (nil once a diff caught up).
    public private(set) var ticker: BinanceBookTicker?

    public init(symbol: String, continuity: Continuity = .spot) {
        self.symbol = symbol
        self.continuity = continuity
    }

    public var isLive: Bool { state == .live }

    /// The state in the seam's words: what the status bar shows and whether quotes are tradable.
    public var connectionState: ConnectionState {
        switch state {
        case .awaitingSnapshot: .connecting
        case .live: .live
        case .resyncing(let reason): .resyncing(reason: reason)
        }
    }

    /// The best `depth` levels of each side, exact, with a newer ticker's top laid over them (empty until the first
    /// snapshot).
    public func orderBook(depth: Int = .max) -> OrderBook {
        guard state == .live, let ticker, ticker.updateId > lastUpdateId else { return book.top(depth) }
        return book.top(depth, bestBid: DepthBook.Level(price: ticker.bidPrice, quantity: ticker.bidQuantity),
                        bestAsk: DepthBook.Level(price: ticker.askPrice, quantity: ticker.askQuantity))
    }

    /// The best bid and ask at `ticker.updateId`: shown over the book when newer than it and than the last ticker.
    /// While there is no book it is kept (`buffered`) for the snapshot to come, and shown if still newer then.
    public mutating func apply(_ ticker: BinanceBookTicker) -> Outcome {
        guard ticker.updateId > (self.ticker?.updateId ?? 0) else { return .ignored }
        guard state == .live else {
            self.ticker = ticker
            return .buffered
        }
        guard ticker.updateId > lastUpdateId else { return .ignored }
        self.ticker = ticker
        return .applied
    }

    public mutating func apply(_ diff: BinanceDepthUpdate) -> Outcome {
        guard state == .live else {
            buffer(diff)
            return .buffered
        }
        let fits: Bool
        switch continuity {
        case .spot:
            if diff.finalUpdateId <= lastUpdateId { return .ignored }
            fits = awaitingFirstDiff
                ? diff.firstUpdateId <= lastUpdateId + 1 && lastUpdateId + 1 <= diff.finalUpdateId
                : diff.firstUpdateId == lastUpdateId + 1
        case .futures:
            // The snapshot's own event (u = lastUpdateId) is the first to apply; after it, an id already seen is old.
            let seen = awaitingFirstDiff ? diff.finalUpdateId < lastUpdateId : diff.finalUpdateId <= lastUpdateId
            if seen { return .ignored }
            fits = awaitingFirstDiff
                ? diff.firstUpdateId <= lastUpdateId && lastUpdateId <= diff.finalUpdateId
                : diff.previousFinalUpdateId == lastUpdateId
        }
        guard fits else {
            let reason = switch continuity {
            case .spot: "\(symbol): diff U=\(diff.firstUpdateId) does not follow the book's update id \(lastUpdateId)"
            case .futures where awaitingFirstDiff:
                "\(symbol): diff U=\(diff.firstUpdateId) u=\(diff.finalUpdateId) does not straddle the snapshot's id "
                    + "\(lastUpdateId)"
            case .futures:
                "\(symbol): diff pu=\(diff.previousFinalUpdateId.map(String.init) ?? "none") is not the last diff's "
                    + "u=\(lastUpdateId)"
            }
            startOver(reason: reason, keeping: diff)
            return .needsSnapshot(reason: reason)
        }
        write(diff)
        return .applied
    }

    /// A REST snapshot: the book becomes it, then the buffered diffs after it are applied.
    public mutating func apply(_ snapshot: BinanceDepthSnapshot) -> Outcome {
        let pending = buffered
        buffered = []
        book.replace(bids: snapshot.bids.map { DepthBook.Level(price: $0.price, quantity: $0.quantity) },
                     asks: snapshot.asks.map { DepthBook.Level(price: $0.price, quantity: $0.quantity) })
        lastUpdateId = snapshot.lastUpdateId
        awaitingFirstDiff = true
        state = .live
        for (index, diff) in pending.enumerated() {
            let firstOnSnapshot = awaitingFirstDiff
            guard case .needsSnapshot = apply(diff) else { continue }
            let reason = firstOnSnapshot
                ? "\(symbol): snapshot \(snapshot.lastUpdateId) is older than the buffered diffs (next U=\(diff.firstUpdateId))"
                : "\(symbol): the buffered diffs break at U=\(diff.firstUpdateId)"
            // What came after the break is kept (the diff that broke it already is): it joins the next snapshot.
            buffered.append(contentsOf: pending[(index + 1)...])
            state = .resyncing(reason: reason)
            return .needsSnapshot(reason: reason)
        }
        return .applied
    }

    /// Drops the book (a reconnect, an unsubscribe): diffs are buffered again until the next snapshot.
    public mutating func reset(reason: String) {
        startOver(reason: reason, keeping: nil)
        buffered = []
    }

    private mutating func startOver(reason: String, keeping diff: BinanceDepthUpdate?) {
        state = .resyncing(reason: reason)
        book = DepthBook()
        lastUpdateId = 0
        awaitingFirstDiff = true
        if let diff { buffer(diff) }
    }

    private mutating func buffer(_ diff: BinanceDepthUpdate) {
        if buffered.count >= Self.bufferLimit { buffered.removeFirst(buffered.count - Self.bufferLimit + 1) }
        buffered.append(diff)
    }

    private mutating func write(_ diff: BinanceDepthUpdate) {
        for level in diff.bids { book.set(.buy, price: level.price, quantity: level.quantity) }
        for level in diff.asks { book.set(.sell, price: level.price, quantity: level.quantity) }
        lastUpdateId = diff.finalUpdateId
        awaitingFirstDiff = false
        // The diffs now say at least as much as the ticker did.
        if let ticker, ticker.updateId <= lastUpdateId { self.ticker = nil }
    }
}
