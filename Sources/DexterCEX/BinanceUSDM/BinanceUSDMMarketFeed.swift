import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Binance USDⓈ-M futures' market data behind the seam: perpetuals from `/fapi/v1/exchangeInfo`, a local book per
/// symbol kept by the futures rule (`pu` continuity; `BinanceDepthBooks` with `.futures`) from `<sym>@depth@100ms`,
/// `<sym>@bookTicker` and REST `/fapi/v1/depth` snapshots, and `<sym>@markPrice@1s` posted as the perpetual's
/// `FundingQuote` (rate `r`, next funding `T`, mark `p`; the interval from `/fapi/v1/fundingInfo` where listed, else
/// Binance's default 8 h). One combined stream carries all three; a gap resyncs that symbol alone.
public final class BinanceUSDMMarketFeed: MarketDataClient, Sendable {
    public let settings: BinanceUSDMSettings
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
        /// Funding intervals fundingInfo lists (wire name → interval); absent: the default.
        var intervals: [String: Duration] = [:]
        /// The last funding quote of each symbol (for the desk's checks and tests).
        var funding: [Symbol: FundingQuote] = [:]
    }

    /// Binance's funding interval where fundingInfo does not list a symbol.
    public static let defaultFundingInterval = Duration.seconds(8 * 3_600)

    public init(settings: BinanceUSDMSettings, http: HTTPTransport = HTTPTransport(),
                clock: any DexterCore.Clock = WallClock(), logger: Logger = Logger(label: "dexter.binance-usdm")) {
        self.settings = settings
        self.http = http
        self.clock = clock
        self.logger = logger
        let gate = RateLimitGate(limits: .init(weight: settings.weightPerMinute))
        self.gate = gate
        let streams = settings.symbols.flatMap { symbol in
            let name = BinanceUSDMSettings.venueName(symbol).lowercased()
            return [name + "@depth@100ms", name + "@bookTicker", name + "@markPrice@1s"]
        }.joined(separator: "/")
        var stream = settings.stream ?? WebSocketSettings(url: "")
        stream.url = settings.streamURL + "/stream?streams=" + streams
        link = WebSocketLink(settings: stream, logger: logger)
        let rest = BinanceREST(baseURL: settings.restURL, http: http, gate: gate, clock: clock,
                               timeout: settings.requestTimeout)
        let limit = settings.snapshotDepth
        books = BinanceDepthBooks(venue: settings.venue, depth: settings.bookDepth, continuity: .futures, clock: clock,
                                  logger: logger) { name in
            let answer = try await rest.send(BinanceUSDMRequests.depth(symbol: name, limit: limit),
                                             weight: BinanceUSDMSettings.depthWeight(limit), waitForBudget: true)
            return try BinanceMarketData.depthSnapshot(answer.body)
        }
    }

    deinit { state.withLock { $0.task?.cancel() } }

    /// The limits exchangeInfo listed, once instruments were read.
    public var rateLimits: [BinanceRateLimit] { state.withLock { $0.rateLimits } }
    public var resyncCount: Int { books.resyncCount }
    public var unreadableMessages: Int { books.unreadableMessages }

    /// The last funding quote posted for `symbol` (nil before its first mark price).
    public func funding(_ symbol: Symbol) -> FundingQuote? { state.withLock { $0.funding[symbol] } }

    // MARK: MarketDataClient

    public func instruments() async throws -> [VenueInstrument] {
        let answer = try await rest(BinanceUSDMRequests.exchangeInfo(), weight: BinanceUSDMSettings.exchangeInfoWeight)
        let info = try BinanceUSDMMarketData.exchangeInfo(answer.body)
        let fundingAnswer = try await rest(BinanceUSDMRequests.fundingInfo(),
                                           weight: BinanceUSDMSettings.fundingInfoWeight)
        let intervals = Dictionary(try BinanceUSDMMarketData.fundingInfo(fundingAnswer.body)
            .map { ($0.symbol, Duration.seconds($0.intervalHours * 3_600)) }, uniquingKeysWith: { _, last in last })
        var found: [VenueInstrument] = []
        let now = clock.now()
        for symbol in settings.symbols {
            let spec = try Self.spec(symbol, in: info, venue: settings.venue.id, margin: settings.margin)
            // Listed now, with no book yet: the first arrives once the stream and its snapshot have joined.
            found.append(VenueInstrument(market: Market(venue: settings.venue, instrument: spec,
                                                        liquidity: .book(OrderBook(bids: [], asks: [])), venueTime: now,
                                                        receivedAt: now)))
        }
        books.name(Dictionary(settings.symbols.map { (BinanceUSDMSettings.venueName($0), $0) },
                              uniquingKeysWith: { first, _ in first }))
        state.withLock { state in
            state.rateLimits = info.rateLimits
            state.intervals = intervals
            for instrument in found { state.instruments[instrument.market.key.symbol] = instrument.market.instrument }
        }
        return found
    }

    /// The rules of a configured perpetual as exchangeInfo lists it: a PERPETUAL, TRADING, with its filters and
    /// margin terms (config's when given, else those exchangeInfo publishes).
    static func spec(_ symbol: Symbol, in info: BinanceUSDMExchangeInfo, venue: VenueId, margin: MarginTerms?) throws
        -> InstrumentSpec {
        let name = BinanceUSDMSettings.venueName(symbol)
        guard let listed = info.contracts.first(where: { $0.venueSymbol == name && $0.isPerpetual })
            ?? info.contracts.first(where: { $0.venueSymbol == name }) else {
            throw BinanceUSDMVenueError.notListed(symbol, venue: venue)
        }
        guard listed.isPerpetual else {
            throw BinanceUSDMVenueError.notPerpetual(symbol, contractType: listed.contractType)
        }
        guard listed.symbol == symbol else { throw BinanceUSDMVenueError.notLinear(symbol) }
        guard listed.isTrading else { throw BinanceUSDMVenueError.notTrading(symbol, status: listed.status) }
        guard let terms = margin ?? listed.publishedMargin else {
            throw BinanceUSDMVenueError.noMarginTerms(symbol, venue: venue)
        }
        guard let spec = listed.instrumentSpec(margin: terms) else { throw BinanceUSDMVenueError.noFilters(symbol) }
        return spec
    }

    public func currentGas() async throws -> [GasQuote] { [] }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        let mine = keys.filter { $0.venue == settings.venue.id }
        books.track(mine.map { (BinanceUSDMSettings.venueName($0.symbol), $0.symbol) }, into: inbox)
        let task = state.withLock { state -> Task<Void, Never>? in
            guard state.task == nil else { return nil }
            let listener = USDMFeedListener(feed: self)
            let task = Task { await self.link.run(listener) }
            state.task = task
            return task
        }
        if task != nil { inbox.post(.connecting, for: settings.venue.id) }
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        books.untrack(keys.map { BinanceUSDMSettings.venueName($0.symbol) })
    }

    /// Stops the stream.
    public func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
        }
    }

    /// The synced book of a perpetual (nil while there is none).
    public func book(_ symbol: Symbol) -> OrderBook? { books.book(BinanceUSDMSettings.venueName(symbol)) }

    /// The market as a paper order meets it: the instrument and the synced book now (nil while it has none).
    public func market(_ symbol: Symbol) -> Market? {
        guard let instrument = state.withLock({ $0.instruments[symbol] }) else { return nil }
        return books.market(BinanceUSDMSettings.venueName(symbol), spec: instrument)
    }

    // MARK: The stream

    func received(_ bytes: [UInt8]) {
        // When the message arrived, before it is read: a quote's age counts its parsing too.
        let now = clock.now()
        let message: BinanceUSDMStreamMessage
        do { message = try BinanceUSDMMarketData.streamMessage(bytes) } catch {
            books.unreadable(error)
            return
        }
        switch message.payload {
        case .depthUpdate(let diff): books.receive(diff, at: now)
        case .bookTicker(let ticker): books.receive(ticker, venueTime: ticker.eventTime ?? now, at: now)
        case .markPrice(let mark): receivedMark(mark, at: now)
        case .unhandled: return
        }
    }

    /// A mark price: the perpetual's funding quote, posted (conflated per market by the inbox).
    private func receivedMark(_ mark: BinanceMarkPrice, at now: Timestamp) {
        guard let symbol = books.symbol(mark.symbol), let inbox = books.inbox else { return }
        let quote = state.withLock { state -> FundingQuote in
            let quote = FundingQuote(market: MarketKey(venue: settings.venue.id, symbol: symbol), rate: mark.fundingRate,
                                     nextFundingTime: mark.nextFundingTime,
                                     interval: state.intervals[mark.symbol] ?? Self.defaultFundingInterval,
                                     markPrice: mark.markPrice, receivedAt: now)
            state.funding[symbol] = quote
            return quote
        }
        inbox.post(.funding(quote))
    }

    // MARK: REST

    /// A public request through the venue's budget (waiting for the next window when this one is spent).
    func rest(_ request: BinanceRequest, weight: Int) async throws -> HTTPAnswer {
        try await BinanceREST(baseURL: settings.restURL, http: http, gate: gate, clock: clock,
                              timeout: settings.requestTimeout).send(request, weight: weight, waitForBudget: true)
    }
}

/// The link's listener: hands each event to the feed's books or to the feed.
struct USDMFeedListener: WebSocketListener {
    let feed: BinanceUSDMMarketFeed
    func opened(_ link: WebSocketLink) async throws { feed.books.opened() }
    func received(_ message: [UInt8]) { feed.received(message) }
    func closed(reason: String, retryIn: Duration?) { feed.books.closed(reason, retryIn: retryIn) }
}
