import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// What a Binance market-data feed does with its books, spot and USDⓈ-M futures alike: a `BinanceBookSync` per
/// symbol fed by the diff and bookTicker streams and joined to REST snapshots (one fetch at a time per symbol, with
/// backoff), each book that moves posted to the desk's inbox, a gap resyncing that symbol alone (its market shows no
/// liquidity meanwhile), a reconnect starting every book over, a closed stream taking the venue down, and `.live`
/// once every book has joined. The feed reads the messages, knows its REST host and says which continuity rule its
/// books follow. Symbols are named here as Binance's wire names them ("BTCUSDT").
final class BinanceDepthBooks: Sendable {
    let venue: VenueSpec
    /// Levels of each book handed to detection.
    let depth: Int
    let continuity: BinanceBookSync.Continuity
    private let logger: Logger
    private let clock: any DexterCore.Clock
    /// Fetches a REST snapshot of one symbol (through the venue's rate-limit gate).
    private let snapshot: @Sendable (String) async throws -> BinanceDepthSnapshot
    private let state = Mutex(State())

    struct State {
        var inbox: VenueInbox?
        var names: [String: Symbol] = [:]
        var books: [String: BinanceBookSync] = [:]
        var fetching: Set<String> = []
        var parseErrors = 0
        var resyncs = 0
    }

    init(venue: VenueSpec, depth: Int, continuity: BinanceBookSync.Continuity, clock: any DexterCore.Clock,
         logger: Logger, snapshot: @escaping @Sendable (String) async throws -> BinanceDepthSnapshot) {
        self.venue = venue
        self.depth = depth
        self.continuity = continuity
        self.clock = clock
        self.logger = logger
        self.snapshot = snapshot
    }

    var resyncCount: Int { state.withLock { $0.resyncs } }
    var unreadableMessages: Int { state.withLock { $0.parseErrors } }
    var inbox: VenueInbox? { state.withLock { $0.inbox } }

    /// The dexter symbol of a wire name, once subscribed or listed.
    func symbol(_ name: String) -> Symbol? { state.withLock { $0.names[name] } }

    /// Names listed by the venue (from its exchangeInfo), so messages can be read by them.
    func name(_ names: [String: Symbol]) { state.withLock { $0.names.merge(names) { _, new in new } } }

    /// Keeps a fresh book for each (wire name, symbol), posting into `inbox`.
    func track(_ instruments: [(name: String, symbol: Symbol)], into inbox: VenueInbox) {
        state.withLock { state in
            state.inbox = inbox
            for (name, symbol) in instruments {
                state.names[name] = symbol
                state.books[name] = BinanceBookSync(symbol: name, continuity: continuity)
            }
        }
    }

    func untrack(_ names: [String]) {
        state.withLock { state in for name in names { state.books[name] = nil } }
    }

    /// The synced book of a symbol (nil while there is none).
    func book(_ name: String) -> OrderBook? {
        state.withLock { state in
            guard let sync = state.books[name], sync.isLive else { return nil }
            return sync.orderBook(depth: depth)
        }
    }

    /// The market as a paper order meets it: `spec` and the synced book now (nil while it has none).
    func market(_ name: String, spec: InstrumentSpec) -> Market? {
        let now = clock.now()
        return state.withLock { state -> Market? in
            guard let sync = state.books[name], sync.isLive else { return nil }
            return Market(venue: venue, instrument: spec, liquidity: .book(sync.orderBook(depth: depth)), venueTime: now,
                          receivedAt: now)
        }
    }

    func unreadable(_ error: any Error) {
        state.withLock { $0.parseErrors += 1 }
        logger.warning("\(venue.id): unreadable stream message: \(error)")
    }

    // MARK: The stream

    /// A (re)connected stream: every book starts again from a snapshot (diffs missed while down are a gap).
    func opened() {
        let names = state.withLock { state -> [String] in
            for name in state.books.keys { state.books[name] = BinanceBookSync(symbol: name, continuity: continuity) }
            return Array(state.books.keys).sorted()
        }
        for name in names { fetchSnapshot(name) }
    }

    func closed(_ reason: String, retryIn: Duration?) {
        let (inbox, keys) = state.withLock { state in
            (state.inbox, state.books.keys.compactMap { state.names[$0] })
        }
        guard let inbox else { return }
        // Nothing priced on books that stopped following the venue.
        for symbol in keys { postEmpty(symbol, into: inbox) }
        let retry = retryIn.map { $0 == .zero ? "; reconnecting now" : "; reconnecting in \(Self.seconds($0)) s" } ?? ""
        inbox.post(.down(reason: "stream \(reason)\(retry)"), for: venue.id)
    }

    /// A diff: applied (and the book posted), buffered, or a gap that resyncs this symbol alone.
    func receive(_ diff: BinanceDepthUpdate, at now: Timestamp) {
        var resync: String?
        let post = state.withLock { state -> (VenueInbox, Symbol, OrderBook)? in
            // Applied where it lies: a copy taken out of the dictionary and written back would copy the whole book
            // (every level of both sides) on each message, as the dictionary still held the old one.
            guard let symbol = state.names[diff.symbol], let inbox = state.inbox,
                  let outcome = state.books[diff.symbol]?.apply(diff) else { return nil }
            switch outcome {
            case .applied: return (inbox, symbol, state.books[diff.symbol]!.orderBook(depth: depth))
            case .needsSnapshot(let reason):
                resync = reason
                state.resyncs += 1
                return (inbox, symbol, OrderBook(bids: [], asks: []))
            case .buffered, .ignored: return nil
            }
        }
        guard let (inbox, symbol, book) = post else { return }
        inbox.post(.liquidity(MarketKey(venue: venue.id, symbol: symbol), .book(book), venueTime: diff.eventTime,
                              receivedAt: now))
        if let resync {
            logger.warning("\(venue.id) \(symbol): \(resync); resyncing from a fresh snapshot")
            // Not tradable until every book is live again (the snapshot's join says so).
            inbox.post(.resyncing(reason: "\(symbol) \(resync)"), for: venue.id)
            fetchSnapshot(diff.symbol)
        }
    }

    /// A best bid and ask newer than the book: posted with the book's top brought forward.
    func receive(_ ticker: BinanceBookTicker, venueTime: Timestamp, at now: Timestamp) {
        let post = state.withLock { state -> (VenueInbox, Symbol, OrderBook)? in
            guard let symbol = state.names[ticker.symbol], let inbox = state.inbox,
                  state.books[ticker.symbol]?.apply(ticker) == .applied else { return nil }
            return (inbox, symbol, state.books[ticker.symbol]!.orderBook(depth: depth))
        }
        guard let (inbox, symbol, book) = post else { return }
        inbox.post(.liquidity(MarketKey(venue: venue.id, symbol: symbol), .book(book), venueTime: venueTime,
                              receivedAt: now))
    }

    /// Fetches a REST snapshot for `name` (once at a time) and joins it to the buffered diffs.
    func fetchSnapshot(_ name: String) {
        let start = state.withLock { $0.fetching.insert(name).inserted }
        guard start else { return }
        Task {
            defer { _ = self.state.withLock { $0.fetching.remove(name) } }
            for attempt in 0..<8 {
                do {
                    if joinSnapshot(try await snapshot(name), name: name) { return }
                } catch {
                    logger.warning("\(venue.id) \(name): snapshot failed: \(error)")
                }
                guard !Task.isCancelled else { return }
                try? await Task.sleep(for: Backoff(first: .milliseconds(200), cap: .seconds(10)).delay(attempt: attempt))
            }
        }
    }

    /// True when the book is live (or no longer wanted); false when the snapshot cannot join the diffs (too old, or
    /// the buffered diffs break) and a fresh one is needed.
    private func joinSnapshot(_ snapshot: BinanceDepthSnapshot, name: String) -> Bool {
        let now = clock.now()
        let joined = state.withLock { state -> (VenueInbox, Symbol, OrderBook?, Bool)? in
            guard var sync = state.books[name], let symbol = state.names[name], let inbox = state.inbox
            else { return nil }
            let outcome = sync.apply(snapshot)
            state.books[name] = sync
            if case .needsSnapshot = outcome { return (inbox, symbol, nil, false) }
            return (inbox, symbol, sync.orderBook(depth: depth), state.books.values.allSatisfy(\.isLive))
        }
        guard let (inbox, symbol, book, allLive) = joined else { return true }
        guard let book else { return false }
        inbox.post(.liquidity(MarketKey(venue: venue.id, symbol: symbol), .book(book), venueTime: now, receivedAt: now))
        if allLive { inbox.post(.live, for: venue.id) }
        return true
    }

    private func postEmpty(_ symbol: Symbol, into inbox: VenueInbox) {
        let now = clock.now()
        inbox.post(.liquidity(MarketKey(venue: venue.id, symbol: symbol), .book(OrderBook(bids: [], asks: [])),
                              venueTime: now, receivedAt: now))
    }

    static func seconds(_ duration: Duration) -> String { String(format: "%.1f", duration.secondsDouble) }
}
