import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Bybit linear perpetuals' market data behind the seam: instruments from `instruments-info` (paginated), and per
/// symbol a local book from `orderbook.50.{symbol}` (`u` continuity checked on every delta; a gap subscribes that
/// symbol again alone, its market showing no liquidity meanwhile) and the funding Bybit announces from
/// `tickers.{symbol}` (snapshot, then deltas merged), posted as a `FundingQuote`. `{"op":"ping"}` every 20 s keeps
/// the connection (Bybit cuts one silent for 10 minutes).
public final class BybitMarketFeed: MarketDataClient, Sendable {
    public let settings: BybitSettings
    public var venueIds: [VenueId] { [settings.venue.id] }
    let http: HTTPTransport
    /// Public REST is limited per IP: 600 requests in any 5 s (HTTP 403 and a 10-minute ban beyond).
    let gate = RateLimitGate(limits: .init(weight: 600, window: .seconds(5)))
    private let clock: any DexterCore.Clock
    private let logger: Logger
    private let books: StreamedBooks<BybitBookSync>
    private let state = Mutex(FundingState())

    struct FundingState {
        var inbox: VenueInbox?
        var specs: [Symbol: InstrumentSpec] = [:]
        /// Funding interval of each contract as instruments-info publishes it.
        var intervals: [String: Duration] = [:]
        var symbols: [String: Symbol] = [:]
        /// The merged ticker of each symbol since its last snapshot.
        var tickers: [String: BybitTicker] = [:]
    }

    public init(settings: BybitSettings, http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.bybit")) {
        self.settings = settings
        self.http = http
        self.clock = clock
        self.logger = logger
        var stream = settings.stream ?? WebSocketSettings(url: "", pingEvery: .seconds(20))
        stream.url = settings.publicURL
        // Bybit wants its own ping message every 20 s (answered {"op":"ping","ret_msg":"pong"}).
        stream.keepaliveText = #"{"op":"ping"}"#
        if stream.pingEvery == nil || stream.pingEvery! > .seconds(20) { stream.pingEvery = .seconds(20) }
        let link = WebSocketLink(settings: stream, logger: logger)
        books = StreamedBooks(venue: settings.venue, depth: settings.bookDepth, link: link, clock: clock, logger: logger) {
            subscribe, symbols in
            guard !symbols.isEmpty else { return }
            // Each (re)subscription starts with a book snapshot and a ticker snapshot, which replace what was kept.
            let topics = symbols.flatMap { [#""orderbook.\#(BybitSettings.topicDepth).\#($0)""#, #""tickers.\#($0)""#] }
            try await link.send(#"{"op":"\#(subscribe ? "subscribe" : "unsubscribe")","args":[\#(topics.joined(separator: ","))]}"#)
        }
    }

    /// How many times a book has been rebuilt, messages that could not be read, and what Bybit refused (for health).
    public var resyncCount: Int { books.resyncCount }
    public var unreadableMessages: Int { books.unreadableMessages }
    public var refusals: [String] { books.refusals }

    // MARK: MarketDataClient

    public func instruments() async throws -> [VenueInstrument] {
        let listed = try await listedContracts()
        var found: [VenueInstrument] = []
        for symbol in settings.symbols {
            let name = BybitSettings.instrument(symbol)
            guard let contract = listed[name] else { throw BybitVenueError.notListed(symbol, venue: settings.venue.id) }
            guard contract.isPerpetual, symbol.settle?.code == contract.settleCoin else {
                throw BybitVenueError.notPerpetual(symbol, contractType: contract.contractType, settle: contract.settleCoin)
            }
            guard contract.isTrading else { throw BybitVenueError.notTrading(symbol, status: contract.status) }
            var spec = InstrumentSpec(symbol: symbol, tickSize: contract.tickSize, lotSize: contract.qtyStep,
                                      minNotional: contract.minNotional)
            spec.margin = settings.margin ?? BybitSettings.defaultMargin(maxLeverage: contract.maxLeverage)
            let now = clock.now()
            found.append(VenueInstrument(market: Market(venue: settings.venue, instrument: spec,
                                                        liquidity: .book(OrderBook(bids: [], asks: [])), venueTime: now,
                                                        receivedAt: now)))
            state.withLock { state in
                state.specs[symbol] = spec
                state.symbols[name] = symbol
                state.intervals[name] = contract.fundingIntervalMinutes.map { .seconds($0 * 60) }
            }
        }
        return found
    }

    /// Every linear contract, page by page (more than 500 are listed; `limit` 1000, `nextPageCursor` until empty).
    func listedContracts() async throws -> [String: BybitInstrument] {
        var listed: [String: BybitInstrument] = [:]
        var cursor: String?
        var seen: Set<String> = []
        for _ in 0..<20 {
            try await admit()
            var url = settings.restURL + "/v5/market/instruments-info?category=linear&limit=1000"
            if let cursor { url += "&cursor=" + Self.queryValue(cursor) }
            let answer = try await http.send(HTTPCall(.GET, url, timeout: settings.requestTimeout))
            guard answer.status == 200 else {
                throw BybitVenueError.refused(what: "instruments-info", status: answer.status,
                                              body: String(decoding: answer.body.prefix(300), as: UTF8.self))
            }
            let page = try BybitMarketData.instruments(answer.body)
            for contract in page.instruments { listed[contract.symbol] = contract }
            guard let next = page.nextCursor, seen.insert(next).inserted else { break }
            cursor = next
        }
        return listed
    }

    private func admit() async throws {
        switch gate.admit(weight: 1, at: clock.now()) {
        case .go: break
        case .waitUntil(let time), .stoppedUntil(let time, _):
            try await Task.sleep(for: max(.zero, time.duration(since: clock.now())))
        }
    }

    /// A cursor as Bybit sends it (already URL-encoded, e.g. "first%3D…") goes back as is; anything else is encoded.
    static func queryValue(_ text: String) -> String {
        let safe = text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "%-_.~".unicodeScalars.contains($0) }
        return safe ? text : text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    public func currentGas() async throws -> [GasQuote] { [] }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        let ours = keys.filter { $0.venue == settings.venue.id }.map { key in
            let name = BybitSettings.instrument(key.symbol)
            return (name: name, symbol: key.symbol, book: { @Sendable in BybitBookSync(symbol: name) })
        }
        state.withLock { state in
            state.inbox = inbox
            for instrument in ours { state.symbols[instrument.name] = instrument.symbol }
        }
        try await books.subscribe(ours, into: inbox, received: { [self] in received($0) })
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        await books.unsubscribe(keys.map { BybitSettings.instrument($0.symbol) })
    }

    public func stop() { books.stop() }

    /// The synced book of a symbol (nil while there is none).
    public func book(_ symbol: Symbol) -> OrderBook? { books.book(BybitSettings.instrument(symbol)) }

    /// The market as a paper order meets it: the instrument and the synced book now (nil while it has none).
    public func market(_ symbol: Symbol) -> Market? {
        guard let spec = state.withLock({ $0.specs[symbol] }) else { return nil }
        return books.market(BybitSettings.instrument(symbol), spec: spec)
    }

    /// The funding Bybit announces now for a symbol (nil until its ticker told rate, time and mark).
    public func funding(_ symbol: Symbol) -> FundingQuote? {
        let name = BybitSettings.instrument(symbol)
        return state.withLock { state in state.tickers[name].flatMap { quote($0, state: state, at: clock.now()) } }
    }

    // MARK: The stream

    func received(_ bytes: [UInt8]) {
        let now = clock.now()
        let message: BybitPublicMessage
        do { message = try BybitMarketData.publicMessage(bytes) } catch {
            books.unreadable(error)
            return
        }
        switch message {
        case .book(let push):
            guard push.depth == BybitSettings.topicDepth else { return }
            books.receive(push, for: push.symbol, isSnapshot: push.kind == .snapshot, venueTime: push.engineTime ?? push.time,
                          at: now)
        case .ticker(let ticker):
            received(ticker, at: now)
        case .answer(let op, let success, let text) where !success:
            books.refused("Bybit refused \(op): \(text)")
        case .answer, .unhandled: break
        }
    }

    /// A ticker snapshot replaces the symbol's state, a delta merges into it (ignored before a snapshot); once rate,
    /// time and mark are known the quote goes to the inbox (the inbox keeps the latest per market).
    func received(_ ticker: BybitTicker, at now: Timestamp) {
        let post = state.withLock { state -> (VenueInbox, FundingQuote)? in
            let merged: BybitTicker
            if ticker.isSnapshot {
                merged = ticker
            } else if let known = state.tickers[ticker.symbol] {
                merged = known.merging(ticker)
            } else {
                return nil
            }
            state.tickers[ticker.symbol] = merged
            guard let inbox = state.inbox, let quote = quote(merged, state: state, at: now) else { return nil }
            return (inbox, quote)
        }
        guard let (inbox, quote) = post else { return }
        inbox.post(.funding(quote))
    }

    /// The interval: the ticker's `fundingIntervalHour` when it sends one (Bybit may change a contract's interval
    /// while the desk runs), else instruments-info's minutes, else Bybit's default 8 h.
    private func quote(_ ticker: BybitTicker, state: FundingState, at now: Timestamp) -> FundingQuote? {
        guard let symbol = state.symbols[ticker.symbol], let rate = ticker.fundingRate, let next = ticker.nextFundingTime,
              let mark = ticker.markPrice else { return nil }
        let interval = ticker.fundingIntervalHours.map { Duration.seconds($0 * 3_600) } ?? state.intervals[ticker.symbol]
            ?? .seconds(8 * 3_600)
        return FundingQuote(market: MarketKey(venue: settings.venue.id, symbol: symbol), rate: rate, nextFundingTime: next,
                            interval: interval, markPrice: mark, receivedAt: now)
    }
}

extension BybitMarketFeed: OneVenueMarketFeed {}

/// Bybit linear perpetuals in PAPER mode.
public typealias BybitPaperVenue = PaperVenue<BybitMarketFeed>
