import DexterCore
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Logging
import Synchronization

/// Where a Kraken venue is reached. Every endpoint is a setting with Kraken's real address as default, so a proxy or
/// a test points elsewhere.
public struct KrakenSettings: Sendable {
    public var venue: VenueSpec
    /// The markets the desk trades here, by dexter's symbol.
    public var symbols: [Symbol]
    public var restURL: String
    /// The public WebSocket v2 (books), and the authenticated one (executions, orders).
    public var publicURL: String
    public var privateURL: String
    /// The depth subscribed to, one of Kraken's 10, 25, 100, 500, 1000; also the levels handed to detection.
    public var bookDepth: Int
    public var requestTimeout: Duration
    public var stream: WebSocketSettings?

    public static let depths = [10, 25, 100, 500, 1000]

    public init(venue: VenueSpec, symbols: [Symbol], restURL: String = "https://api.kraken.com",
                publicURL: String = "wss://ws.kraken.com/v2", privateURL: String = "wss://ws-auth.kraken.com/v2",
                bookDepth: Int = 100, requestTimeout: Duration = .seconds(10)) {
        self.venue = venue
        self.symbols = symbols
        self.restURL = restURL
        self.publicURL = publicURL
        self.privateURL = privateURL
        self.bookDepth = bookDepth
        self.requestTimeout = requestTimeout
    }

    /// WebSocket v2's name of a symbol: BTC/USD stays BTC/USD (v2 writes assets the common way).
    public static func v2Symbol(_ symbol: Symbol) -> String { symbol.base.code + "/" + symbol.quote.code }
}

/// Kraken spot's market data behind the seam: instruments from `AssetPairs`, and per pair a local book from the v2
/// `book` channel, its checksum checked on every message. A broken book is dropped and its pair subscribed again
/// alone; meanwhile its market shows no liquidity. A trading system that is not "online" (maintenance, cancel only,
/// post only) takes the venue down: no taker leg can be sent there. Each book that moves is posted to the inbox.
public final class KrakenMarketFeed: MarketDataClient, Sendable {
    public let settings: KrakenSettings
    public var venueIds: [VenueId] { [settings.venue.id] }
    let http: HTTPTransport
    /// Kraken's public REST allows about one call a second per IP.
    let gate = RateLimitGate(limits: .init(weight: 1, window: .seconds(1)))
    private let logger: Logger
    private let clock: any DexterCore.Clock
    private let state = Mutex(FeedState())
    private let link: WebSocketLink

    struct FeedState {
        var inbox: VenueInbox?
        /// By v2 symbol: the desk's symbol, the pair's rules, the book.
        var symbols: [String: Symbol] = [:]
        var pairs: [Symbol: KrakenPair] = [:]
        var books: [String: KrakenBookSync] = [:]
        var system = "online"
        var requestId: Int64 = 0
        var task: Task<Void, Never>?
        var parseErrors = 0
        var resyncs = 0
        var refusals: [String] = []
    }

    public init(settings: KrakenSettings, http: HTTPTransport = HTTPTransport(), clock: any DexterCore.Clock = WallClock(),
                logger: Logger = Logger(label: "dexter.kraken")) {
        precondition(KrakenSettings.depths.contains(settings.bookDepth), "Kraken's book depths are \(KrakenSettings.depths)")
        self.settings = settings
        self.http = http
        self.clock = clock
        self.logger = logger
        var stream = settings.stream ?? WebSocketSettings(url: "", pingEvery: .seconds(20))
        stream.url = settings.publicURL
        // Kraken answers an application ping with a pong; its heartbeats only flow while a channel is subscribed.
        stream.keepaliveText = #"{"method":"ping"}"#
        if stream.pingEvery == nil { stream.pingEvery = .seconds(20) }
        link = WebSocketLink(settings: stream, logger: logger)
    }

    deinit { state.withLock { $0.task?.cancel() } }

    /// How many times a book has been rebuilt, messages that could not be read, and what Kraken refused (health).
    public var resyncCount: Int { state.withLock { $0.resyncs } }
    public var unreadableMessages: Int { state.withLock { $0.parseErrors } }
    public var refusals: [String] { state.withLock { $0.refusals } }
    /// Kraken's trading system as last announced: "online", "maintenance", "cancel_only", "post_only".
    public var systemStatus: String { state.withLock { $0.system } }

    // MARK: MarketDataClient

    public func instruments() async throws -> [VenueInstrument] {
        switch gate.admit(weight: 1, at: clock.now()) {
        case .go: break
        case .waitUntil(let time), .stoppedUntil(let time, _): try await Task.sleep(for: max(.zero, time.duration(since: clock.now())))
        }
        let answer = try await http.send(HTTPCall(.GET, settings.restURL + "/0/public/AssetPairs", timeout: settings.requestTimeout))
        guard answer.status == 200 else {
            throw KrakenVenueError.refused(status: answer.status, body: String(decoding: answer.body.prefix(300), as: UTF8.self))
        }
        let listed = try KrakenMarketData.assetPairs(answer.body)
        var found: [VenueInstrument] = [], pairs: [Symbol: KrakenPair] = [:]
        for symbol in settings.symbols {
            guard let pair = listed.first(where: { $0.symbol == symbol }) else {
                throw KrakenVenueError.notListed(symbol, venue: settings.venue.id)
            }
            guard pair.isTrading else { throw KrakenVenueError.notTrading(symbol, status: pair.status) }
            pairs[symbol] = pair
            let now = clock.now()
            found.append(VenueInstrument(market: Market(venue: settings.venue, instrument: pair.instrumentSpec,
                                                        liquidity: .book(OrderBook(bids: [], asks: [])), venueTime: now,
                                                        receivedAt: now)))
        }
        state.withLock { $0.pairs.merge(pairs) { $1 } }
        return found
    }

    /// The pair's rules as `AssetPairs` gave them (nil before `instruments()`).
    public func pair(_ symbol: Symbol) -> KrakenPair? { state.withLock { $0.pairs[symbol] } }

    public func currentGas() async throws -> [GasQuote] { [] }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        let ours = keys.filter { $0.venue == settings.venue.id }
        let start = try state.withLock { state throws(KrakenVenueError) -> Bool in
            state.inbox = inbox
            for key in ours {
                // The checksum needs the pair's decimals: its instruments must have been read.
                guard let pair = state.pairs[key.symbol] else { throw .notListed(key.symbol, venue: settings.venue.id) }
                state.symbols[pair.v2Symbol] = key.symbol
                state.books[pair.v2Symbol] = book(pair)
            }
            guard state.task == nil else { return false }
            let listener = KrakenFeedListener(feed: self)
            state.task = Task { await self.link.run(listener) }
            return true
        }
        if start {
            inbox.post(.connecting, for: settings.venue.id)
        } else if link.isConnected {
            try await send("subscribe", ours.map { KrakenSettings.v2Symbol($0.symbol) })
        }
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        let symbols = keys.map { KrakenSettings.v2Symbol($0.symbol) }
        state.withLock { state in for symbol in symbols { state.books[symbol] = nil } }
        try? await send("unsubscribe", symbols)
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
            guard let sync = state.books[KrakenSettings.v2Symbol(symbol)], sync.isLive else { return nil }
            return sync.orderBook(depth: settings.bookDepth)
        }
    }

    /// The market as a paper order meets it: the instrument and the synced book now (nil while it has none, or while
    /// Kraken's trading system is not online).
    public func market(_ symbol: Symbol) -> Market? {
        let now = clock.now()
        return state.withLock { state -> Market? in
            guard state.system == "online", let pair = state.pairs[symbol],
                  let sync = state.books[pair.v2Symbol], sync.isLive else { return nil }
            return Market(venue: settings.venue, instrument: pair.instrumentSpec,
                          liquidity: .book(sync.orderBook(depth: settings.bookDepth)), venueTime: now, receivedAt: now)
        }
    }

    private func book(_ pair: KrakenPair) -> KrakenBookSync {
        KrakenBookSync(symbol: pair.v2Symbol, depth: settings.bookDepth, priceDecimals: pair.priceDecimals,
                       quantityDecimals: pair.lotDecimals)
    }

    // MARK: The stream

    /// `{"method": "subscribe", "params": {"channel": "book", "symbol": […], "depth": 100, "snapshot": true}}`.
    func send(_ method: String, _ symbols: [String]) async throws {
        guard !symbols.isEmpty else { return }
        let id = state.withLock { state -> Int64 in
            state.requestId += 1
            return state.requestId
        }
        let list = symbols.map { "\"\($0)\"" }.joined(separator: ",")
        let snapshot = method == "subscribe" ? #","snapshot":true"# : ""
        try await link.send(#"{"method":"\#(method)","params":{"channel":"book","symbol":[\#(list)],"depth":\#(settings.bookDepth)\#(snapshot)},"req_id":\#(id)}"#)
    }

    /// A (re)connected stream: every book waits for the snapshot its subscription brings.
    func streamOpened() async throws {
        let symbols = state.withLock { state -> [String] in
            for symbol in state.books.keys {
                if let desk = state.symbols[symbol], let pair = state.pairs[desk] { state.books[symbol] = book(pair) }
            }
            return state.books.keys.sorted()
        }
        try await send("subscribe", symbols)
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
        let message: KrakenPublicMessage
        do { message = try KrakenMarketData.publicMessage(bytes) } catch {
            state.withLock { $0.parseErrors += 1 }
            logger.warning("\(settings.venue.id): unreadable stream message: \(error)")
            return
        }
        switch message {
        case .books(let pushes): for push in pushes { receivedBook(push, at: now) }
        case .status(let system): receivedStatus(system)
        case .answer(let method, false, let error, let symbol, _):
            let refusal = "Kraken refused \(method) \(symbol ?? ""): \(error ?? "no reason given")"
            state.withLock { $0.refusals.append(refusal) }
            logger.warning("\(settings.venue.id): \(refusal)")
        case .answer, .heartbeat, .unhandled: break
        }
    }

    private func receivedStatus(_ system: String) {
        let (inbox, wasOnline, allLive) = state.withLock { state in
            defer { state.system = system }
            return (state.inbox, state.system == "online", !state.books.isEmpty && state.books.values.allSatisfy(\.isLive))
        }
        guard let inbox else { return }
        if system != "online" {
            logger.warning("\(settings.venue.id): Kraken's trading system is \(system)")
            inbox.post(.down(reason: "Kraken's trading system is \(system)"), for: settings.venue.id)
        } else if !wasOnline, allLive {
            inbox.post(.live, for: settings.venue.id)
        }
    }

    private func receivedBook(_ push: KrakenBookMessage, at now: Timestamp) {
        var resync: String?
        let post = state.withLock { state -> (VenueInbox, Symbol, OrderBook, Bool)? in
            guard let symbol = state.symbols[push.symbol], let inbox = state.inbox,
                  let outcome = state.books[push.symbol]?.apply(push) else { return nil }
            switch outcome {
            case .applied:
                let allLive = push.kind == .snapshot && state.system == "online" && state.books.values.allSatisfy(\.isLive)
                return (inbox, symbol, state.books[push.symbol]!.orderBook(depth: settings.bookDepth), allLive)
            case .needsSnapshot(let reason):
                resync = reason
                state.resyncs += 1
                return (inbox, symbol, OrderBook(bids: [], asks: []), false)
            case .ignored: return nil
            }
        }
        guard let (inbox, symbol, book, allLive) = post else { return }
        inbox.post(.liquidity(MarketKey(venue: settings.venue.id, symbol: symbol), .book(book), venueTime: push.time ?? now,
                              receivedAt: now))
        if allLive { inbox.post(.live, for: settings.venue.id) }
        guard let resync else { return }
        logger.warning("\(settings.venue.id) \(symbol): \(resync); subscribing again for a fresh snapshot")
        inbox.post(.resyncing(reason: "\(symbol) \(resync)"), for: settings.venue.id)
        let pair = push.symbol
        Task {
            do {
                try await send("unsubscribe", [pair])
                try await send("subscribe", [pair])
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
struct KrakenFeedListener: WebSocketListener {
    let feed: KrakenMarketFeed
    func opened(_ link: WebSocketLink) async throws { try await feed.streamOpened() }
    func received(_ message: [UInt8]) { feed.received(message) }
    func closed(reason: String, retryIn: Duration?) { feed.streamClosed(reason, retryIn: retryIn) }
}

public enum KrakenVenueError: Error, Sendable, CustomStringConvertible {
    case notListed(Symbol, venue: VenueId)
    case notTrading(Symbol, status: String)
    case refused(status: Int, body: String)

    public var description: String {
        switch self {
        case .notListed(let symbol, let venue): "\(symbol) is not listed on \(venue) (AssetPairs has no \(KrakenAssets.altname(symbol.base))/\(KrakenAssets.altname(symbol.quote)))"
        case .notTrading(let symbol, let status): "\(symbol) is not trading on Kraken (status \(status))"
        case .refused(let status, let body): "HTTP \(status): \(body)"
        }
    }
}
