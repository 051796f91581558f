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
    let books: BinanceDepthBooks

    struct FeedState {
        var task: Task<Void, Never>?
        var instruments: [Symbol: InstrumentSpec] = [:]
        var rateLimits: [BinanceRateLimit] = []
    }

    public init(settings: BinanceSettings, http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.binance")) {
        self.settings = settings
        self.http = http
        self.clock = clock
        self.logger = logger
        let gate = RateLimitGate(limits: .init(weight: settings.weightPerMinute))
        self.gate = gate
        let streams = settings.symbols.flatMap { symbol in
            let name = Self.venueName(symbol).lowercased()
            return [name + "@depth@100ms", name + "@bookTicker"]
        }.joined(separator: "/")
        var stream = settings.stream ?? WebSocketSettings(url: "")
        stream.url = settings.streamURL + "/stream?streams=" + streams
        link = WebSocketLink(settings: stream, logger: logger)
        let rest = BinanceREST(baseURL: settings.restURL, http: http, gate: gate, clock: clock,
                               timeout: settings.requestTimeout)
        let limit = settings.snapshotDepth
        books = BinanceDepthBooks(venue: settings.venue, depth: settings.bookDepth, continuity: .spot, clock: clock,
                                  logger: logger) { name in
            let answer = try await rest.send(BinanceRequestBuilder.depth(symbol: name, limit: limit),
                                             weight: BinanceSettings.depthWeight(limit), waitForBudget: true)
            return try BinanceMarketData.depthSnapshot(answer.body)
        }
    }

    deinit { state.withLock { $0.task?.cancel() } }

    /// BTC/USDT → BTCUSDT.
    static func venueName(_ symbol: Symbol) -> String { symbol.base.code + symbol.quote.code }

    /// The limits `exchangeInfo` listed (request weight, orders per 10 s and per day), once instruments were read.
    public var rateLimits: [BinanceRateLimit] { state.withLock { $0.rateLimits } }

    /// How many times a book has been rebuilt after a gap, and messages that could not be read (for the desk's health).
    public var resyncCount: Int { books.resyncCount }
    public var unreadableMessages: Int { books.unreadableMessages }

    // MARK: MarketDataClient

    public func instruments() async throws -> [VenueInstrument] {
        let answer = try await rest(BinanceRequestBuilder.exchangeInfo(symbols: settings.symbols.map(Self.venueName)), weight: 20)
        let info = try BinanceMarketData.exchangeInfo(answer.body)
        books.name(info.symbolsByVenueName)
        state.withLock { $0.rateLimits = info.rateLimits }
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
        let mine = keys.filter { $0.venue == settings.venue.id }
        books.track(mine.map { (Self.venueName($0.symbol), $0.symbol) }, into: inbox)
        let task = state.withLock { state -> Task<Void, Never>? in
            guard state.task == nil else { return nil }
            let listener = FeedListener(feed: self)
            let task = Task { await self.link.run(listener) }
            state.task = task
            return task
        }
        if task != nil { inbox.post(.connecting, for: settings.venue.id) }
    }

    public func unsubscribe(_ keys: [MarketKey]) async { books.untrack(keys.map { Self.venueName($0.symbol) }) }

    /// Stops the stream.
    public func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
        }
    }

    /// The synced book of a symbol, as the desk last got it (nil while there is none).
    public func book(_ symbol: Symbol) -> OrderBook? { books.book(Self.venueName(symbol)) }

    /// The market as a paper order meets it: the instrument and the synced book now (nil while it has none).
    public func market(_ symbol: Symbol) -> Market? {
        guard let instrument = state.withLock({ $0.instruments[symbol] }) else { return nil }
        return books.market(Self.venueName(symbol), spec: instrument)
    }

    // MARK: The stream

    func streamOpened() { books.opened() }

    func streamClosed(_ reason: String, retryIn: Duration?) { books.closed(reason, retryIn: retryIn) }

    func received(_ bytes: [UInt8]) {
        // When the message arrived, before it is read: the book's receivedAt, so a quote's age counts its parsing too.
        let now = clock.now()
        let message: BinanceStreamMessage
        do { message = try BinanceMarketData.streamMessage(bytes) } catch {
            books.unreadable(error)
            return
        }
        switch message.payload {
        case .depthUpdate(let diff): books.receive(diff, at: now)
        // Spot tickers carry no event time: the venue time is when it arrived.
        case .bookTicker(let ticker): books.receive(ticker, venueTime: now, at: now)
        case .partialDepth, .unhandled: return
        }
    }

    // MARK: REST

    /// A public request through the venue's budget (waiting for the next window when this one is spent).
    func rest(_ request: BinanceRequest, weight: Int) async throws -> HTTPAnswer {
        try await BinanceREST(baseURL: settings.restURL, http: http, gate: gate, clock: clock, timeout: settings.requestTimeout)
            .send(request, weight: weight, waitForBudget: true)
    }
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

