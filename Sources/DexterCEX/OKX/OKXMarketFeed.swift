import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Where an OKX venue is reached. Every endpoint is a setting with OKX's real address as default, so a proxy or a
/// test points elsewhere.
public struct OKXSettings: Sendable {
    public var venue: VenueSpec
    /// The markets the desk trades here, by dexter's symbol.
    public var symbols: [Symbol]
    public var restURL: String
    /// The public WebSocket (books), and the private one (login, orders).
    public var publicURL: String
    public var privateURL: String
    /// Levels of the book handed to detection.
    public var bookDepth: Int
    public var requestTimeout: Duration
    public var stream: WebSocketSettings?

    /// OKX's REST host (ccxt and most clients use it; the docs also name openapi.okx.com).
    public static let defaultRESTURL = "https://www.okx.com"

    public init(venue: VenueSpec, symbols: [Symbol], restURL: String = OKXSettings.defaultRESTURL,
                publicURL: String = "wss://ws.okx.com:8443/ws/v5/public",
                privateURL: String = "wss://ws.okx.com:8443/ws/v5/private", bookDepth: Int = 50,
                requestTimeout: Duration = .seconds(10)) {
        self.venue = venue
        self.symbols = symbols
        self.restURL = restURL
        self.publicURL = publicURL
        self.privateURL = privateURL
        self.bookDepth = bookDepth
        self.requestTimeout = requestTimeout
    }

    /// BTC/USDT → BTC-USDT.
    public static func instrument(_ symbol: Symbol) -> String { symbol.base.code + "-" + symbol.quote.code }
}

/// OKX spot's market data behind the seam: instruments from `public/instruments`, and per instrument a local book
/// from the `books` channel, its sequence and checksum checked on every message. A broken book is dropped and its
/// channel subscribed again for that instrument alone; meanwhile its market shows no liquidity. Each book that moves
/// is posted to the desk's inbox.
public final class OKXMarketFeed: MarketDataClient, Sendable {
    public let settings: OKXSettings
    public var venueIds: [VenueId] { [settings.venue.id] }
    let http: HTTPTransport
    /// `public/instruments` allows 20 requests per 2 s.
    let gate = RateLimitGate(limits: .init(weight: 20, window: .seconds(2)))
    private let logger: Logger
    private let clock: any DexterCore.Clock
    private let state = Mutex(FeedState())
    private let link: WebSocketLink

    struct FeedState {
        var inbox: VenueInbox?
        var symbols: [String: Symbol] = [:]
        var books: [String: OKXBookSync] = [:]
        var instruments: [Symbol: InstrumentSpec] = [:]
        var task: Task<Void, Never>?
        var parseErrors = 0
        var resyncs = 0
        var refusals: [String] = []
    }

    public init(settings: OKXSettings, http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.okx")) {
        self.settings = settings
        self.http = http
        self.clock = clock
        self.logger = logger
        var stream = settings.stream ?? WebSocketSettings(url: "", pingEvery: .seconds(20))
        stream.url = settings.publicURL
        // OKX closes a connection that sent nothing for 30 s: the text "ping" keeps it (answered "pong").
        stream.keepaliveText = "ping"
        if stream.pingEvery == nil || stream.pingEvery! > .seconds(25) { stream.pingEvery = .seconds(20) }
        link = WebSocketLink(settings: stream, logger: logger)
    }

    deinit { state.withLock { $0.task?.cancel() } }

    /// How many times a book has been rebuilt, messages that could not be read, and what OKX refused (for health).
    public var resyncCount: Int { state.withLock { $0.resyncs } }
    public var unreadableMessages: Int { state.withLock { $0.parseErrors } }
    public var refusals: [String] { state.withLock { $0.refusals } }

    // MARK: MarketDataClient

    public func instruments() async throws -> [VenueInstrument] {
        switch gate.admit(weight: 1, at: clock.now()) {
        case .go: break
        case .waitUntil(let time), .stoppedUntil(let time, _): try await Task.sleep(for: max(.zero, time.duration(since: clock.now())))
        }
        let answer = try await http.send(HTTPCall(.GET, settings.restURL + "/api/v5/public/instruments?instType=SPOT",
                                                  timeout: settings.requestTimeout))
        guard answer.status == 200 else {
            throw OKXVenueError.refused(status: answer.status, body: String(decoding: answer.body.prefix(300), as: UTF8.self))
        }
        let listed = try OKXMarketData.instruments(answer.body)
        var found: [VenueInstrument] = []
        for symbol in settings.symbols {
            let id = OKXSettings.instrument(symbol)
            guard let instrument = listed.first(where: { $0.instrument == id }) else {
                throw OKXVenueError.notListed(symbol, venue: settings.venue.id)
            }
            guard instrument.isTrading else { throw OKXVenueError.notTrading(symbol, state: instrument.state) }
            // OKX's minimum is a size (minSz), not a notional: orders under it are refused by OKX (51020).
            let spec = InstrumentSpec(symbol: symbol, tickSize: instrument.tickSize, lotSize: instrument.lotSize, minNotional: .zero)
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
        let start = state.withLock { state -> Bool in
            state.inbox = inbox
            for key in keys where key.venue == settings.venue.id {
                let id = OKXSettings.instrument(key.symbol)
                state.symbols[id] = key.symbol
                state.books[id] = OKXBookSync(instrument: id)
            }
            guard state.task == nil else { return false }
            let listener = OKXFeedListener(feed: self)
            state.task = Task { await self.link.run(listener) }
            return true
        }
        if start {
            inbox.post(.connecting, for: settings.venue.id)
        } else if link.isConnected {
            try await send(op: "subscribe", keys.map { OKXSettings.instrument($0.symbol) })
        }
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        let ids = keys.map { OKXSettings.instrument($0.symbol) }
        state.withLock { state in for id in ids { state.books[id] = nil } }
        try? await send(op: "unsubscribe", ids)
    }

    public func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
        }
    }

    /// The synced book of a symbol (nil while there is none).
    public func book(_ symbol: Symbol) -> OrderBook? {
        state.withLock { state in
            guard let sync = state.books[OKXSettings.instrument(symbol)], sync.isLive else { return nil }
            return sync.orderBook(depth: settings.bookDepth)
        }
    }

    /// The market as a paper order meets it: the instrument and the synced book now (nil while it has none).
    public func market(_ symbol: Symbol) -> Market? {
        let now = clock.now()
        return state.withLock { state -> Market? in
            guard let instrument = state.instruments[symbol], let sync = state.books[OKXSettings.instrument(symbol)], sync.isLive
            else { return nil }
            return Market(venue: settings.venue, instrument: instrument, liquidity: .book(sync.orderBook(depth: settings.bookDepth)),
                          venueTime: now, receivedAt: now)
        }
    }

    // MARK: The stream

    /// `{"op": "subscribe", "args": [{"channel": "books", "instId": …}, …]}`.
    func send(op: String, _ instruments: [String]) async throws {
        guard !instruments.isEmpty else { return }
        let args = instruments.map { #"{"channel":"books","instId":"\#($0)"}"# }.joined(separator: ",")
        try await link.send(#"{"op":"\#(op)","args":[\#(args)]}"#)
    }

    /// A (re)connected stream: every book waits for the snapshot its subscription brings.
    func streamOpened() async throws {
        let ids = state.withLock { state -> [String] in
            for id in state.books.keys { state.books[id] = OKXBookSync(instrument: id) }
            return state.books.keys.sorted()
        }
        try await send(op: "subscribe", ids)
    }

    func streamClosed(_ reason: String, retryIn: Duration?) {
        let (inbox, symbols) = state.withLock { state in (state.inbox, state.books.keys.compactMap { state.symbols[$0] }) }
        guard let inbox else { return }
        for symbol in symbols { postEmpty(symbol, into: inbox) }
        let retry = retryIn.map { $0 == .zero ? "; reconnecting now" : "; reconnecting in \(String(format: "%.1f", $0.secondsDouble)) s" } ?? ""
        inbox.post(.down(reason: "stream \(reason)\(retry)"), for: settings.venue.id)
    }

    func received(_ bytes: [UInt8]) {
        let now = clock.now()
        let message: OKXPublicMessage
        do { message = try OKXMarketData.publicMessage(bytes) } catch {
            state.withLock { $0.parseErrors += 1 }
            logger.warning("\(settings.venue.id): unreadable stream message: \(error)")
            return
        }
        switch message {
        case .book(let push): receivedBook(push, at: now)
        case .event(let name, let code, let text, let channel, let instrument) where name == "error":
            let refusal = "OKX refused \(channel ?? "an op") \(instrument ?? ""): \(code ?? "?") \(text ?? "")"
            state.withLock { $0.refusals.append(refusal) }
            logger.warning("\(settings.venue.id): \(refusal)")
        case .event, .pong, .unhandled: break
        }
    }

    private func receivedBook(_ push: OKXBookMessage, at now: Timestamp) {
        var resync: String?
        let post = state.withLock { state -> (VenueInbox, Symbol, OrderBook, Bool)? in
            guard let symbol = state.symbols[push.instrument], let inbox = state.inbox,
                  let outcome = state.books[push.instrument]?.apply(push) else { return nil }
            switch outcome {
            case .applied:
                let allLive = push.action == .snapshot && state.books.values.allSatisfy(\.isLive)
                return (inbox, symbol, state.books[push.instrument]!.orderBook(depth: settings.bookDepth), allLive)
            case .needsSnapshot(let reason):
                resync = reason
                state.resyncs += 1
                return (inbox, symbol, OrderBook(bids: [], asks: []), false)
            case .ignored: return nil
            }
        }
        guard let (inbox, symbol, book, allLive) = post else { return }
        inbox.post(.liquidity(MarketKey(venue: settings.venue.id, symbol: symbol), .book(book), venueTime: push.time,
                              receivedAt: now))
        if allLive { inbox.post(.live, for: settings.venue.id) }
        guard let resync else { return }
        logger.warning("\(settings.venue.id) \(symbol): \(resync); subscribing again for a fresh snapshot")
        inbox.post(.resyncing(reason: "\(symbol) \(resync)"), for: settings.venue.id)
        let id = push.instrument
        Task {
            // Unsubscribe first: OKX sends a snapshot only to a new subscription.
            do {
                try await send(op: "unsubscribe", [id])
                try await send(op: "subscribe", [id])
            } catch {
                logger.warning("\(settings.venue.id) \(symbol): could not subscribe again (\(error)); reconnecting")
                await link.reconnect()
            }
        }
    }

    private func postEmpty(_ symbol: Symbol, into inbox: VenueInbox) {
        let now = clock.now()
        inbox.post(.liquidity(MarketKey(venue: settings.venue.id, symbol: symbol), .book(OrderBook(bids: [], asks: [])),
                              venueTime: now, receivedAt: now))
    }
}

/// The link's listener: hands each event to the feed.
struct OKXFeedListener: WebSocketListener {
    let feed: OKXMarketFeed
    func opened(_ link: WebSocketLink) async throws { try await feed.streamOpened() }
    func received(_ message: [UInt8]) { feed.received(message) }
    func closed(reason: String, retryIn: Duration?) { feed.streamClosed(reason, retryIn: retryIn) }
}

public enum OKXVenueError: Error, Sendable, CustomStringConvertible {
    case notListed(Symbol, venue: VenueId)
    case notTrading(Symbol, state: String)
    case refused(status: Int, body: String)

    public var description: String {
        switch self {
        case .notListed(let symbol, let venue): "\(symbol) is not listed on \(venue) (public/instruments has no \(OKXSettings.instrument(symbol)))"
        case .notTrading(let symbol, let state): "\(symbol) is not trading on OKX (state \(state))"
        case .refused(let status, let body): "HTTP \(status): \(body)"
        }
    }
}
