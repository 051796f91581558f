import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Logging
import Synchronization

/// What every feed of books over one WebSocket channel does, whatever the venue (OKX `books`, Kraken v2 `book`):
/// keeps a book per instrument, posts each one that moves to the desk's inbox, takes a book whose checks fail out of
/// trading and subscribes its instrument again alone, shows no liquidity while the stream is down, and says when
/// every book is live. The venue's feed reads its messages and says how to (un)subscribe; instruments are named
/// here as the venue's wire names them ("BTC-USDT", "BTC/USD").
final class StreamedBooks<Book: StreamedBook>: Sendable {
    let venue: VenueSpec
    /// Levels of each book handed to detection.
    let depth: Int
    let link: WebSocketLink
    private let logger: Logger
    private let clock: any DexterCore.Clock
    /// Sends the venue's subscribe (true) or unsubscribe (false) for these instruments.
    private let request: @Sendable (_ subscribe: Bool, _ instruments: [String]) async throws -> Void
    private let state = Mutex(State())

    struct State {
        var inbox: VenueInbox?
        var symbols: [String: Symbol] = [:]
        var books: [String: Book] = [:]
        var makers: [String: @Sendable () -> Book] = [:]
        /// False while the venue says it does not trade (Kraken's maintenance): the books stay, no leg goes there.
        var tradable = true
        var task: Task<Void, Never>?
        var parseErrors = 0
        var resyncs = 0
        /// Connections opened so far: a venue whose sequence counts a connection's messages starts over on each.
        var connections = 0
        var refusals: [String] = []
    }

    init(venue: VenueSpec, depth: Int, link: WebSocketLink, clock: any DexterCore.Clock, logger: Logger,
         request: @escaping @Sendable (_ subscribe: Bool, _ instruments: [String]) async throws -> Void) {
        self.venue = venue
        self.depth = depth
        self.link = link
        self.clock = clock
        self.logger = logger
        self.request = request
    }

    deinit { state.withLock { $0.task?.cancel() } }

    var resyncCount: Int { state.withLock { $0.resyncs } }
    /// How many times the stream has opened (1 on the first connection).
    var connections: Int { state.withLock { $0.connections } }
    var unreadableMessages: Int { state.withLock { $0.parseErrors } }
    var refusals: [String] { state.withLock { $0.refusals } }

    /// Keeps a book for each instrument (a fresh one from its maker, again on every resubscription) and starts the
    /// stream, or subscribes on the running one. `received` reads each message of the stream (the venue's parser).
    func subscribe(_ instruments: [(name: String, symbol: Symbol, book: @Sendable () -> Book)], into inbox: VenueInbox,
                   received: @escaping @Sendable ([UInt8]) -> Void) async throws {
        let listener = Listener(books: self, handle: received)
        let start = state.withLock { state -> Bool in
            state.inbox = inbox
            for instrument in instruments {
                state.symbols[instrument.name] = instrument.symbol
                state.makers[instrument.name] = instrument.book
                state.books[instrument.name] = instrument.book()
            }
            guard state.task == nil else { return false }
            let link = self.link
            state.task = Task { await link.run(listener) }
            return true
        }
        if start {
            inbox.post(.connecting, for: venue.id)
        } else if link.isConnected {
            try await request(true, instruments.map(\.name))
        }
    }

    func unsubscribe(_ instruments: [String]) async {
        state.withLock { state in for name in instruments { state.books[name] = nil } }
        try? await request(false, instruments)
    }

    func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
        }
    }

    /// The synced book of an instrument, top `depth` levels (nil while there is none).
    func book(_ instrument: String) -> OrderBook? {
        state.withLock { state in
            guard let sync = state.books[instrument], sync.isLive else { return nil }
            return sync.orderBook(depth: depth)
        }
    }

    /// The market as a paper order meets it now (nil while the book is not live or the venue does not trade).
    func market(_ instrument: String, spec: InstrumentSpec) -> Market? {
        let now = clock.now()
        return state.withLock { state -> Market? in
            guard state.tradable, let sync = state.books[instrument], sync.isLive else { return nil }
            return Market(venue: venue, instrument: spec, liquidity: .book(sync.orderBook(depth: depth)), venueTime: now,
                          receivedAt: now)
        }
    }

    // MARK: The stream

    /// A (re)connected stream: every book starts over and waits for the snapshot its subscription brings.
    func opened() async throws {
        let names = state.withLock { state -> [String] in
            state.connections += 1
            for (name, make) in state.makers where state.books[name] != nil { state.books[name] = make() }
            return state.books.keys.sorted()
        }
        try await request(true, names)
    }

    func closed(_ reason: String, retryIn: Duration?) {
        let (inbox, symbols) = state.withLock { state in (state.inbox, state.books.keys.compactMap { state.symbols[$0] }) }
        guard let inbox else { return }
        for symbol in symbols { postEmpty(symbol, into: inbox) }
        let retry = retryIn.map { $0 == .zero ? "; reconnecting now" : "; reconnecting in \(String(format: "%.1f", $0.secondsDouble)) s" } ?? ""
        inbox.post(.down(reason: "stream \(reason)\(retry)"), for: venue.id)
    }

    func unreadable(_ error: any Error) {
        state.withLock { $0.parseErrors += 1 }
        logger.warning("\(venue.id): unreadable stream message: \(error)")
    }

    func refused(_ refusal: String) {
        state.withLock { $0.refusals.append(refusal) }
        logger.warning("\(venue.id): \(refusal)")
    }

    /// The venue says whether it trades now: not trading takes the venue down (no leg goes there) while the books
    /// go on; trading again with every book live brings it back.
    func setTradable(_ tradable: Bool, reason: String) {
        let (inbox, was, allLive) = state.withLock { state in
            defer { state.tradable = tradable }
            return (state.inbox, state.tradable, !state.books.isEmpty && state.books.values.allSatisfy(\.isLive))
        }
        guard let inbox, tradable != was || !tradable else { return }
        if !tradable {
            logger.warning("\(venue.id): \(reason)")
            inbox.post(.down(reason: reason), for: venue.id)
        } else if allLive {
            inbox.post(.live, for: venue.id)
        }
    }

    /// One message for one instrument's book: applied, posted, and on a failed check the instrument subscribed again.
    func receive(_ message: Book.Message, for instrument: String, isSnapshot: Bool, venueTime: Timestamp?, at now: Timestamp) {
        var resync: String?
        let post = state.withLock { state -> (VenueInbox, Symbol, OrderBook, Bool)? in
            guard let symbol = state.symbols[instrument], let inbox = state.inbox,
                  let outcome = state.books[instrument]?.apply(message) else { return nil }
            switch outcome {
            case .applied:
                let allLive = isSnapshot && state.tradable && state.books.values.allSatisfy(\.isLive)
                return (inbox, symbol, state.books[instrument]!.orderBook(depth: depth), allLive)
            case .needsSnapshot(let reason):
                resync = reason
                state.resyncs += 1
                return (inbox, symbol, OrderBook(bids: [], asks: []), false)
            case .ignored: return nil
            }
        }
        guard let (inbox, symbol, book, allLive) = post else { return }
        inbox.post(.liquidity(MarketKey(venue: venue.id, symbol: symbol), .book(book), venueTime: venueTime ?? now,
                              receivedAt: now))
        if allLive { inbox.post(.live, for: venue.id) }
        guard let resync else { return }
        logger.warning("\(venue.id) \(symbol): \(resync); subscribing again for a fresh snapshot")
        inbox.post(.resyncing(reason: "\(symbol) \(resync)"), for: venue.id)
        subscribeAgain([instrument], what: "\(symbol)")
    }

    /// The stream lost a message it cannot place (a venue whose sequence counts the whole connection's messages):
    /// every book is dropped, shows no liquidity, and is subscribed again for a fresh snapshot.
    func resyncAll(reason: String) {
        let (inbox, names, symbols) = state.withLock { state -> (VenueInbox?, [String], [Symbol]) in
            state.resyncs += 1
            for (name, make) in state.makers where state.books[name] != nil { state.books[name] = make() }
            let names = state.books.keys.sorted()
            return (state.inbox, names, names.compactMap { state.symbols[$0] })
        }
        guard let inbox, !names.isEmpty else { return }
        logger.warning("\(venue.id): \(reason); subscribing every book again for fresh snapshots")
        for symbol in symbols { postEmpty(symbol, into: inbox) }
        inbox.post(.resyncing(reason: reason), for: venue.id)
        subscribeAgain(names, what: "books")
    }

    private func subscribeAgain(_ instruments: [String], what: String) {
        Task {
            // Unsubscribe first: a venue sends a snapshot only to a new subscription.
            do {
                try await request(false, instruments)
                try await request(true, instruments)
            } catch {
                logger.warning("\(venue.id) \(what): could not subscribe again (\(error)); reconnecting")
                await link.reconnect()
            }
        }
    }

    private func postEmpty(_ symbol: Symbol, into inbox: VenueInbox) {
        let now = clock.now()
        inbox.post(.liquidity(MarketKey(venue: venue.id, symbol: symbol), .book(OrderBook(bids: [], asks: [])),
                              venueTime: now, receivedAt: now))
    }
}

extension StreamedBooks {
    /// The link's listener: the stream's opening and closing go to the books, its messages to the venue's parser.
    struct Listener: WebSocketListener {
        let books: StreamedBooks
        let handle: @Sendable ([UInt8]) -> Void
        func opened(_ link: WebSocketLink) async throws { try await books.opened() }
        func received(_ message: [UInt8]) { handle(message) }
        func closed(reason: String, retryIn: Duration?) { books.closed(reason, retryIn: retryIn) }
    }
}
