import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Where a Binance venue is reached, and what dexter reads of it. Every endpoint is a setting with Binance's real
/// address as default, so a proxy or a test points elsewhere.
public struct BinanceSettings: Sendable {
    public var venue: VenueSpec
    /// The markets the desk trades here, by dexter's symbol.
    public var symbols: [Symbol]
    public var restURL: String
    public var streamURL: String
    public var wsAPIURL: String
    /// Levels asked of each REST snapshot, and levels of the book handed to detection.
    public var snapshotDepth: Int
    public var bookDepth: Int
    public var weightPerMinute: Int
    public var requestTimeout: Duration
    public var stream: WebSocketSettings?

    /// Binance spot's REST host.
    public static let defaultRESTURL = "https://api.binance.com"

    public init(venue: VenueSpec, symbols: [Symbol], restURL: String = BinanceSettings.defaultRESTURL,
                streamURL: String = "wss://stream.binance.com:9443", wsAPIURL: String = "wss://ws-api.binance.com:443/ws-api/v3",
                snapshotDepth: Int = 1_000, bookDepth: Int = 50, weightPerMinute: Int = 6_000,
                requestTimeout: Duration = .seconds(10)) {
        self.venue = venue
        self.symbols = symbols
        self.restURL = restURL
        self.streamURL = streamURL
        self.wsAPIURL = wsAPIURL
        self.snapshotDepth = snapshotDepth
        self.bookDepth = bookDepth
        self.weightPerMinute = weightPerMinute
        self.requestTimeout = requestTimeout
    }

    /// Binance's REST weight of a depth snapshot of `limit` levels (rest-api.md, "Order book").
    static func depthWeight(_ limit: Int) -> Int {
        switch limit {
        case ...100: 5
        case ...500: 25
        case ...1_000: 50
        default: 250
        }
    }
}

/// Binance spot's market data behind the seam: instruments from `exchangeInfo`, and per symbol a local book kept by
/// Binance's documented rule from the diff stream and REST snapshots, its top brought forward by the real-time best
/// bid and ask (`<symbol>@depth@100ms` and `<symbol>@bookTicker` on one combined stream). A gap resyncs that symbol
/// alone; while it resyncs its market shows no liquidity, so nothing is priced on a book that cannot be trusted.
/// Each book that moves is posted to the desk's inbox.
public final class BinanceMarketFeed: MarketDataClient, Sendable {
    public let settings: BinanceSettings
    public var venueIds: [VenueId] { [settings.venue.id] }
    let http: HTTPTransport
    let gate: RateLimitGate
    private let logger: Logger
    private let clock: any DexterCore.Clock
    private let state = Mutex(FeedState())
    private let link: WebSocketLink

    struct FeedState {
        var inbox: VenueInbox?
        var names: [String: Symbol] = [:]
        var books: [String: BinanceBookSync] = [:]
        var fetching: Set<String> = []
        var task: Task<Void, Never>?
        var instruments: [Symbol: InstrumentSpec] = [:]
        var parseErrors = 0
        var resyncs = 0
        var rateLimits: [BinanceRateLimit] = []
    }

    public init(settings: BinanceSettings, http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.binance")) {
        self.settings = settings
        self.http = http
        self.clock = clock
        self.logger = logger
        gate = RateLimitGate(limits: .init(weight: settings.weightPerMinute))
        let streams = settings.symbols.flatMap { symbol in
            let name = Self.venueName(symbol).lowercased()
            return [name + "@depth@100ms", name + "@bookTicker"]
        }.joined(separator: "/")
        var stream = settings.stream ?? WebSocketSettings(url: "")
        stream.url = settings.streamURL + "/stream?streams=" + streams
        link = WebSocketLink(settings: stream, logger: logger)
    }

    deinit { state.withLock { $0.task?.cancel() } }

    /// BTC/USDT → BTCUSDT.
    static func venueName(_ symbol: Symbol) -> String { symbol.base.code + symbol.quote.code }

    /// The limits `exchangeInfo` listed (request weight, orders per 10 s and per day), once instruments were read.
    public var rateLimits: [BinanceRateLimit] { state.withLock { $0.rateLimits } }

    /// How many times a book has been rebuilt after a gap, and messages that could not be read (for the desk's health).
    public var resyncCount: Int { state.withLock { $0.resyncs } }
    public var unreadableMessages: Int { state.withLock { $0.parseErrors } }

    // MARK: MarketDataClient

    public func instruments() async throws -> [VenueInstrument] {
        let answer = try await rest(BinanceRequestBuilder.exchangeInfo(symbols: settings.symbols.map(Self.venueName)), weight: 20)
        let info = try BinanceMarketData.exchangeInfo(answer.body)
        let names = info.symbolsByVenueName
        state.withLock {
            $0.names = names
            $0.rateLimits = info.rateLimits
        }
        var found: [VenueInstrument] = []
        for symbol in settings.symbols {
            guard let listed = info.instruments.first(where: { $0.venueSymbol == Self.venueName(symbol) }) else {
                throw BinanceVenueError.notListed(symbol, venue: settings.venue.id)
            }
            guard listed.isTrading else { throw BinanceVenueError.notTrading(symbol, status: listed.status) }
            guard let spec = listed.instrumentSpec else { throw BinanceVenueError.noFilters(symbol) }
            // Listed now, with no book yet: the first arrives once the stream and its snapshot have joined.
            let now = clock.now()
            found.append(VenueInstrument(market: Market(venue: settings.venue, instrument: spec,
                                                        liquidity: .book(OrderBook(bids: [], asks: [])), venueTime: now,
                                                        receivedAt: now)))
        }
        state.withLock { state in
            for instrument in found { state.instruments[instrument.market.key.symbol] = instrument.market.instrument }
        }
        return found
    }

    public func currentGas() async throws -> [GasQuote] { [] }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.inbox = inbox
            for key in keys where key.venue == settings.venue.id {
                let name = Self.venueName(key.symbol)
                state.names[name] = key.symbol
                state.books[name] = BinanceBookSync(symbol: name)
            }
            guard state.task == nil else { return nil }
            let listener = FeedListener(feed: self)
            let task = Task { await self.link.run(listener) }
            state.task = task
            return task
        }
        if task != nil { inbox.post(.connecting, for: settings.venue.id) }
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        state.withLock { state in
            for key in keys { state.books[Self.venueName(key.symbol)] = nil }
        }
    }

    /// Stops the stream.
    public func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
        }
    }

    /// The synced book of a symbol, as the desk last got it (nil while there is none).
    public func book(_ symbol: Symbol) -> OrderBook? {
        state.withLock { state in
            guard let sync = state.books[Self.venueName(symbol)], sync.isLive else { return nil }
            return sync.orderBook(depth: settings.bookDepth)
        }
    }

    /// The market as a paper order meets it: the instrument and the synced book now (nil while it has none).
    public func market(_ symbol: Symbol) -> Market? {
        let now = clock.now()
        return state.withLock { state -> Market? in
            guard let instrument = state.instruments[symbol], let sync = state.books[Self.venueName(symbol)], sync.isLive
            else { return nil }
            return Market(venue: settings.venue, instrument: instrument, liquidity: .book(sync.orderBook(depth: settings.bookDepth)),
                          venueTime: now, receivedAt: now)
        }
    }

    // MARK: The stream

    /// A (re)connected stream: every book starts again from a snapshot (diffs missed while down are a gap).
    func streamOpened() {
        let names = state.withLock { state -> [String] in
            for name in state.books.keys { state.books[name] = BinanceBookSync(symbol: name) }
            return Array(state.books.keys).sorted()
        }
        for name in names { fetchSnapshot(name) }
    }

    func streamClosed(_ reason: String, retryIn: Duration?) {
        let (inbox, keys) = state.withLock { state in
            (state.inbox, state.books.keys.compactMap { state.names[$0] })
        }
        guard let inbox else { return }
        // Nothing priced on books that stopped following the venue.
        for symbol in keys { postEmpty(symbol, into: inbox) }
        let retry = retryIn.map { $0 == .zero ? "; reconnecting now" : "; reconnecting in \(Self.seconds($0)) s" } ?? ""
        inbox.post(.down(reason: "stream \(reason)\(retry)"), for: settings.venue.id)
    }

    func received(_ bytes: [UInt8]) {
        // When the message arrived, before it is read: the book's receivedAt, so a quote's age counts its parsing too.
        let now = clock.now()
        let message: BinanceStreamMessage
        do { message = try BinanceMarketData.streamMessage(bytes) } catch {
            state.withLock { $0.parseErrors += 1 }
            logger.warning("\(settings.venue.id): unreadable stream message: \(error)")
            return
        }
        let diff: BinanceDepthUpdate
        switch message.payload {
        case .depthUpdate(let update): diff = update
        case .bookTicker(let ticker):
            receivedTicker(ticker, at: now)
            return
        case .partialDepth, .unhandled: return
        }
        var resync: String?
        let post = state.withLock { state -> (VenueInbox, Symbol, OrderBook)? in
            // Applied where it lies: a copy taken out of the dictionary and written back would copy the whole book
            // (every level of both sides) on each message, as the dictionary still held the old one.
            guard let symbol = state.names[diff.symbol], let inbox = state.inbox,
                  let outcome = state.books[diff.symbol]?.apply(diff) else { return nil }
            switch outcome {
            case .applied: return (inbox, symbol, state.books[diff.symbol]!.orderBook(depth: settings.bookDepth))
            case .needsSnapshot(let reason):
                resync = reason
                state.resyncs += 1
                return (inbox, symbol, OrderBook(bids: [], asks: []))
            case .buffered, .ignored: return nil
            }
        }
        guard let (inbox, symbol, book) = post else { return }
        inbox.post(.liquidity(MarketKey(venue: settings.venue.id, symbol: symbol), .book(book), venueTime: diff.eventTime,
                              receivedAt: now))
        if let resync {
            logger.warning("\(settings.venue.id) \(symbol): \(resync); resyncing from a fresh snapshot")
            // Not tradable until every book is live again (the snapshot's join says so).
            inbox.post(.resyncing(reason: "\(symbol) \(resync)"), for: settings.venue.id)
            fetchSnapshot(diff.symbol)
        }
    }

    /// A best bid and ask newer than the book: posted with the book's top brought forward. Spot tickers carry no
    /// event time, so the venue time is when it arrived.
    private func receivedTicker(_ ticker: BinanceBookTicker, at now: Timestamp) {
        let post = state.withLock { state -> (VenueInbox, Symbol, OrderBook)? in
            guard let symbol = state.names[ticker.symbol], let inbox = state.inbox,
                  state.books[ticker.symbol]?.apply(ticker) == .applied else { return nil }
            return (inbox, symbol, state.books[ticker.symbol]!.orderBook(depth: settings.bookDepth))
        }
        guard let (inbox, symbol, book) = post else { return }
        inbox.post(.liquidity(MarketKey(venue: settings.venue.id, symbol: symbol), .book(book), venueTime: now, receivedAt: now))
    }

    /// Fetches a REST snapshot for `name` (once at a time) and joins it to the buffered diffs.
    func fetchSnapshot(_ name: String) {
        let start = state.withLock { $0.fetching.insert(name).inserted }
        guard start else { return }
        Task {
            defer { _ = self.state.withLock { $0.fetching.remove(name) } }
            for attempt in 0..<8 {
                do {
                    let limit = settings.snapshotDepth
                    let answer = try await rest(BinanceRequestBuilder.depth(symbol: name, limit: limit),
                                                weight: BinanceSettings.depthWeight(limit))
                    let snapshot = try BinanceMarketData.depthSnapshot(answer.body)
                    if joinSnapshot(snapshot, name: name) { return }
                } catch {
                    logger.warning("\(settings.venue.id) \(name): snapshot failed: \(error)")
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
            guard var sync = state.books[name], let symbol = state.names[name], let inbox = state.inbox else { return nil }
            let outcome = sync.apply(snapshot)
            state.books[name] = sync
            if case .needsSnapshot = outcome { return (inbox, symbol, nil, false) }
            return (inbox, symbol, sync.orderBook(depth: settings.bookDepth), state.books.values.allSatisfy(\.isLive))
        }
        guard let (inbox, symbol, book, allLive) = joined else { return true }
        guard let book else { return false }
        inbox.post(.liquidity(MarketKey(venue: settings.venue.id, symbol: symbol), .book(book), venueTime: now, receivedAt: now))
        if allLive { inbox.post(.live, for: settings.venue.id) }
        return true
    }

    private func postEmpty(_ symbol: Symbol, into inbox: VenueInbox) {
        let now = clock.now()
        inbox.post(.liquidity(MarketKey(venue: settings.venue.id, symbol: symbol), .book(OrderBook(bids: [], asks: [])),
                              venueTime: now, receivedAt: now))
    }

    // MARK: REST

    /// A public request through the venue's budget (waiting for the next window when this one is spent).
    func rest(_ request: BinanceRequest, weight: Int) async throws -> HTTPAnswer {
        try await BinanceREST(baseURL: settings.restURL, http: http, gate: gate, clock: clock, timeout: settings.requestTimeout)
            .send(request, weight: weight, waitForBudget: true)
    }

    static func seconds(_ duration: Duration) -> String { String(format: "%.1f", duration.secondsDouble) }
}

/// The link's listener: hands each event to the feed.
struct FeedListener: WebSocketListener {
    let feed: BinanceMarketFeed
    func opened(_ link: WebSocketLink) async throws { feed.streamOpened() }
    func received(_ message: [UInt8]) { feed.received(message) }
    func closed(reason: String, retryIn: Duration?) { feed.streamClosed(reason, retryIn: retryIn) }
}

public enum BinanceVenueError: Error, Sendable, CustomStringConvertible {
    case notListed(Symbol, venue: VenueId)
    case notTrading(Symbol, status: String)
    case noFilters(Symbol)
    case stopped(until: Timestamp, reason: String)
    case refused(status: Int, body: String)

    public var description: String {
        switch self {
        case .notListed(let symbol, let venue): "\(symbol) is not listed on \(venue) (exchangeInfo has no \(BinanceMarketFeed.venueName(symbol)))"
        case .notTrading(let symbol, let status): "\(symbol) is not trading (status \(status))"
        case .noFilters(let symbol): "\(symbol) has no price or lot filter in exchangeInfo"
        case .stopped(let until, let reason): "Binance has stopped this client until \(until.utcClock) (\(reason)); nothing is sent"
        case .refused(let status, let body): "HTTP \(status): \(body)"
        }
    }
}

